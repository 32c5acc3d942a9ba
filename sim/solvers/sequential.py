r"""Subgame-perfect equilibrium of the sequential two-level game with a commitment problem.

The game (Putnam 1988 for the two levels, Fearon 1995 for the commitment problem)
is played over a menu of ``D`` deals, deal 0 being the status quo. Actors
``a = 0`` (Japan) and ``a = 1`` (Russia) each have a government and a domestic
ratifier. For every draw ``n`` of the parameters:

1. the proposer ``p`` offers one deal ``d >= 1`` or nothing (the status quo);
2. the responder ``b = 1 - p`` accepts or rejects (rejection: the status quo);
3. when ratification applies, Japan's ratifier and then Russia's ratifier accept
   or reject; the deal needs both (a rejection: the status quo);
4. when deal ``d`` has a performer ``k = performer[d] >= 0``, that side performs
   (outcome ``d``) or reneges (outcome "``d`` reneged").

Backward induction (Kuhn 1953; the solution is subgame perfect, Selten 1965):

Stage 4
    With :math:`c_k` the reputation cost of side ``k``, the reneged outcome is worth
    :math:`\tilde u_{dk} - c_k` to ``k``'s government and :math:`\tilde r_{dk} - c_k`
    to its ratifier (the other side's reneged utilities are unchanged). The
    performer reneges iff its *renege gain* :math:`\tilde u_{dk} - c_k - u_{dk}`
    exceeds :data:`TOL`. The continuation utilities ``cu``, ``cr`` of deal ``d`` are
    those of the reneged outcome when it reneges, of ``d`` otherwise.
Stage 3
    Ratifier ``a``'s margin is :math:`m_{da} = cr_{da} - r_{0a}`. Deterministic
    ratification: it accepts iff :math:`m_{da} > \mathrm{TOL}` (sincere voting is
    optimal for the first ratifier whatever the second does, so it is subgame
    perfect although the ratifiers move in turn). Probabilistic ratification (a
    logit choice, McFadden 1974; McKelvey & Palfrey 1998): it accepts with
    probability :math:`q_{da} = 1 / (1 + e^{-m_{da}/\sigma_a})`. The deal is ratified
    with probability :math:`P_d = q_{d0}\,q_{d1}` (0 or 1 when deterministic; 1
    without ratification).
Stage 2
    The responder accepts iff its expected margin
    :math:`P_d\,(cu_{db} - u_{0b})` exceeds :data:`TOL`.
Stage 1
    The proposer's expected gain from offering an accepted deal is
    :math:`g_d = P_d\,(cu_{dp} - u_{0p})` (0 if rejected). It offers the deal with the
    largest gain among those with :math:`g_d > \mathrm{TOL}` — the first deal within
    :data:`TOL` of the best — or nothing.

Every deal gets a *stage code* (:class:`Stage`): the first actor on the path from its
offer to its implementation whose choice diverts the outcome away from it — the
responder, Japan's ratifier, Russia's ratifier, the performer — or :attr:`Stage.HOLDS`
for the deal offered, :attr:`Stage.PROPOSER` for a deal that would survive but is not
offered. Deterministically, the responder's margin is taken *should the deal be
ratified*, :math:`cu_{db} - u_{0b}`: facing a deal its ratifiers reject, the
responder is indifferent, and the ratifier is the actor that kills it. Under noise
the responder's margin is its expected margin :math:`P_d (cu_{db} - u_{0b})`, and a
ratifier "kills" a deal its margin does not favour (it accepts with probability at
most 1/2).

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*
49(3), 379-414.
Kuhn, H. W. (1953). Extensive games and the problem of information. In *Contributions
to the Theory of Games II*, 193-216.
McFadden, D. (1974). Conditional logit analysis of qualitative choice behavior. In
*Frontiers in Econometrics*, 105-142.
McKelvey, R. D. & Palfrey, T. R. (1998). Quantal response equilibria for extensive
form games. *Experimental Economics* 1, 9-41.
Putnam, R. D. (1988). Diplomacy and domestic politics: the logic of two-level games.
*International Organization* 42(3), 427-460.
Selten, R. (1965). Spieltheoretische Behandlung eines Oligopolmodells mit
Nachfrageträgheit. *Zeitschrift für die gesamte Staatswissenschaft* 121, 301-324.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.tolerance import TOL

CHUNK = 8_192
"""Draws solved at a time; bounds the memory of the temporaries."""

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]
CodeArray = NDArray[np.int8]
AnyArray = NDArray[Any]


class Stage(IntEnum):
    """What happens to a deal if it were offered (codes of :attr:`SequentialResult.stage`)."""

    HOLDS = 0
    """Offered by the proposer, accepted, ratified and performed."""
    RESPONDER = 1
    """Rejected by the responding government."""
    JAPAN_RATIFIER = 2
    """Rejected by Japan's ratifier."""
    RUSSIA_RATIFIER = 3
    """Rejected by Russia's ratifier."""
    RENEGED = 4
    """Accepted and ratified, but the performer reneges."""
    PROPOSER = 5
    """Would survive every stage, but the proposer offers another deal (or nothing)."""
    STATUS_QUO = 6
    """Deal 0, the status quo itself (margin NaN)."""


ROLES: tuple[str, ...] = (
    "proposer",
    "responder",
    "japan_ratifier",
    "russia_ratifier",
    "performer",
)
"""The actors of :attr:`SequentialResult.against`, in order."""


@dataclass(frozen=True)
class SequentialGame:
    """The sequential two-level game over ``D`` deals in ``N`` parameter draws.

    Attributes
    ----------
    deal_ids : tuple of str, length D
        The deals the proposer may offer; ``deal_ids[0]`` is the status quo.
    utility, ratifier_utility : ndarray, shape (N, D, 2)
        Governments' and ratifiers' utilities of each deal (Japan, Russia).
    reneged_utility, reneged_ratifier_utility : ndarray, shape (N, D, 2)
        Utilities of each deal's reneged variant, before the reputation cost.
    performer : ndarray of int, shape (D,)
        Side that performs each deal later (0 Japan, 1 Russia) or -1; -1 for deal 0.
    reputation_cost : ndarray, shape (N, 2)
        Cost of reneging to each side.
    ratification : bool
        Whether the ratifier stage applies.
    noise : ndarray, shape (N, 2), or None
        Logit noise of each side's ratifier, US$ bn; 0 (or None for every draw) means
        deterministic votes in that draw.

    The arrays are checked and converted on construction (``ValueError`` on a bad shape,
    a non-finite value, a bad performer code or a negative noise).
    """

    deal_ids: tuple[str, ...]
    utility: Array
    ratifier_utility: Array
    reneged_utility: Array
    reneged_ratifier_utility: Array
    performer: IntArray
    reputation_cost: Array
    ratification: bool = True
    noise: Array | None = None

    def __post_init__(self) -> None:
        arrays, perf, cost, sigma = _validated(
            (
                self.utility,
                self.ratifier_utility,
                self.reneged_utility,
                self.reneged_ratifier_utility,
            ),
            self.performer,
            self.reputation_cost,
            self.noise,
        )
        names = ("utility", "ratifier_utility", "reneged_utility", "reneged_ratifier_utility")
        for name, value in zip(names, arrays, strict=True):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "performer", perf)
        object.__setattr__(self, "reputation_cost", cost)
        object.__setattr__(self, "noise", sigma)
        ids = tuple(self.deal_ids)
        if len(ids) != arrays[0].shape[1]:
            raise ValueError(f"{len(ids)} deal ids for {arrays[0].shape[1]} deals")
        object.__setattr__(self, "deal_ids", ids)

    @property
    def n_draws(self) -> int:
        return int(self.utility.shape[0])

    def draw(self, n: int) -> SequentialGame:
        """The game of draw ``n`` alone (a batch of one)."""
        rows = slice(n, n + 1)
        return SequentialGame(
            self.deal_ids,
            self.utility[rows],
            self.ratifier_utility[rows],
            self.reneged_utility[rows],
            self.reneged_ratifier_utility[rows],
            self.performer,
            self.reputation_cost[rows],
            self.ratification,
            None if self.noise is None else self.noise[rows],
        )


@dataclass(frozen=True)
class SequentialResult:
    """Subgame-perfect equilibrium of the sequential game in ``N`` draws of ``D`` deals.

    Attributes
    ----------
    offer : ndarray of int, shape (N,)
        Deal the proposer offers; 0 for no offer.
    outcome : ndarray of int, shape (N,)
        Deal implemented on the equilibrium path (0 = status quo). Under noise the
        most likely one: the offer if it is ratified with probability above 1/2.
    reneged : ndarray of bool, shape (N,)
        Whether the path ends in the reneged variant of ``outcome``.
    payoff : ndarray, shape (N, 2)
        Governments' (expected) utilities on the equilibrium path.
    stage : ndarray of int8, shape (N, D)
        :class:`Stage` code of every deal.
    margin : ndarray, shape (N, D)
        Margin of the actor named by ``stage``: the responder's or ratifier's
        margin over the status quo (at most ``tol`` when it kills the deal); the
        renege gain net of the reputation cost (``RENEGED``); the proposer's gain
        over the status quo (``HOLDS``) or relative to its offer (``PROPOSER``);
        NaN for the status quo.
    anticipated_renege : ndarray of bool, shape (N, D)
        The performer would renege: the continuation of the deal is its reneged
        variant.
    accepted : ndarray of bool, shape (N, D)
        The responder accepts the deal if offered (False for deal 0).
    ratified : ndarray of bool, shape (N, D, 2)
        Each ratifier's choice if the deal reaches it: accept iff its margin
        exceeds ``tol`` (the more likely choice under noise; True without
        ratification and for deal 0).
    outcome_probability : ndarray, shape (N, D, 2), or None
        Under noise, the probability of ending in each deal performed (``[..., 0]``)
        or reneged (``[..., 1]``), the status quo at ``[:, 0, 0]``; None otherwise.
    ratify_probability : ndarray, shape (N, D), or None
        Under noise, the probability that both ratifiers accept (1 for deal 0 and
        without ratification); None otherwise.
    proposer : int
        The proposing side (0 = Japan, 1 = Russia).
    performer : ndarray of int, shape (D,)
        Side that performs each deal later, -1 for none.
    reputation_cost : ndarray, shape (N, 2)
        Cost of reneging to each side.
    against : ndarray of bool, shape (N, D, 5)
        Every actor of :data:`ROLES` that would turn the deal down if it came to it,
        not only the first on the path: the proposer's government gains nothing from
        it (``cu - u0 <= tol``, reneging included), the responder's government, each
        ratifier (when ratification applies), and the performer (it reneges). Under
        noise a ratifier is counted when its margin does not favour the deal.
    deal_ids : tuple of str, length D
        The deals the result indexes.
    method : str
        How it was found (backward induction, subgame perfection).
    tol : float
        Tolerance on utilities (US$ bn).
    """

    offer: IntArray
    outcome: IntArray
    reneged: BoolArray
    payoff: Array
    stage: CodeArray
    margin: Array
    anticipated_renege: BoolArray
    accepted: BoolArray
    ratified: BoolArray
    outcome_probability: Array | None
    ratify_probability: Array | None
    proposer: int
    performer: IntArray
    reputation_cost: Array
    against: BoolArray
    deal_ids: tuple[str, ...] = ()
    method: str = "backward induction (subgame-perfect equilibrium)"
    tol: float = TOL


def solve(
    game: SequentialGame,
    proposer: int,
    *,
    tol: float = TOL,
    chunk: int = CHUNK,
) -> SequentialResult:
    """Backward induction of the sequential two-level game for ``N`` draws.

    Parameters
    ----------
    game : SequentialGame
        The deals, their utilities and reneged variants, performers, reputation costs,
        ratification and ratifier noise, for ``N`` draws.
    proposer : {0, 1}
        Side that makes the offer.
    tol : float
        Tolerance on utilities.
    chunk : int
        Draws solved at a time.

    Returns
    -------
    SequentialResult
        Every draw's result depends on that draw alone (a draw with zero noise is
        deterministic whatever the other draws' noise).

    Examples
    --------
    >>> u = np.array([[[0.0, 0.0], [3.0, 2.0]]])
    >>> game = SequentialGame(("status_quo", "deal"), u, u, u, u, [-1, -1], np.zeros((1, 2)))
    >>> r = solve(game, proposer=0)
    >>> int(r.offer[0]), Stage(int(r.stage[0, 1])).name
    (1, 'HOLDS')
    """
    if proposer not in (0, 1):
        raise ValueError(f"proposer must be 0 or 1, got {proposer!r}")
    if chunk < 1:
        raise ValueError(f"chunk must be positive, got {chunk}")
    arrays = (
        game.utility,
        game.ratifier_utility,
        game.reneged_utility,
        game.reneged_ratifier_utility,
    )
    sigma, cost, perf = game.noise, game.reputation_cost, game.performer
    n, d = arrays[0].shape[:2]
    out = _allocate(n, d, noisy=sigma is not None and bool((sigma > 0).any()))
    for start in range(0, n, chunk):
        part = slice(start, min(start + chunk, n))
        u, r, ur, rr = (_by_actor(a[part]) for a in arrays)
        kernel_out = _solve_chunk(
            (u, r, ur, rr),
            _column(cost[part]),
            perf,
            int(proposer),
            game.ratification,
            None if "outcome_probability" not in out else _column(sigma[part]),  # type: ignore[index]
            tol,
        )
        for name, value in kernel_out.items():
            out[name][part] = value
    return SequentialResult(
        offer=out["offer"],
        outcome=out["outcome"],
        reneged=out["reneged"],
        payoff=out["payoff"],
        stage=out["stage"],
        margin=out["margin"],
        anticipated_renege=out["anticipated_renege"],
        accepted=out["accepted"],
        ratified=out["ratified"],
        outcome_probability=out.get("outcome_probability"),
        ratify_probability=out.get("ratify_probability"),
        proposer=int(proposer),
        performer=perf,
        reputation_cost=cost,
        against=out["against"],
        deal_ids=game.deal_ids,
        tol=tol,
    )


def describe_kill(
    result: SequentialResult,
    draw: int,
    deal: int,
    deal_ids: Sequence[str],
    actor_names: tuple[str, str] = ("Japan", "Russia"),
) -> str:
    """One line in plain words: what happens to ``deal`` in ``draw`` if it were offered.

    Parameters
    ----------
    result : SequentialResult
    draw, deal : int
        Indices into the ``N`` draws and the ``D`` deals.
    deal_ids : sequence of str, length D
        Names of the deals.
    actor_names : tuple of str
        Names of side 0 and side 1.

    Returns
    -------
    str
        For example ``"two_islands: rejected by Japan's ratifier — margin -24.60"``.
    """
    code = Stage(int(result.stage[draw, deal]))
    margin = float(result.margin[draw, deal])
    name, proposer = deal_ids[deal], actor_names[result.proposer]
    performer = int(result.performer[deal])
    because = ""
    if result.anticipated_renege[draw, deal] and code != Stage.RENEGED:
        because = f" (anticipating that {actor_names[performer]} would renege)"
    if code == Stage.STATUS_QUO:
        return f"{name}: the status quo (no agreement)"
    if code == Stage.HOLDS:
        return f"{name}: holds up"
    if code == Stage.RESPONDER:
        who = f"{actor_names[1 - result.proposer]}'s government"
        return f"{name}: rejected by {who} — margin {margin:.2f}{because}"
    if code in (Stage.JAPAN_RATIFIER, Stage.RUSSIA_RATIFIER):
        side = 0 if code == Stage.JAPAN_RATIFIER else 1
        return f"{name}: rejected by {actor_names[side]}'s ratifier — margin {margin:.2f}{because}"
    if code == Stage.RENEGED:
        cost = float(result.reputation_cost[draw, performer])
        text = (
            f"{name}: {actor_names[performer]} would renege "
            f"(gain {margin:.2f} over a reputation cost of {cost:.2f})"
        )
        if int(result.offer[draw]) == deal:
            text += "; offered all the same, the path ends in the reneged deal"
        return text
    offer = int(result.offer[draw])
    choice = "the status quo" if offer == 0 else f"to offer {deal_ids[offer]}"
    return f"{name}: survives, but {proposer} prefers {choice} — margin {margin:.2f}"


# -- validation -----------------------------------------------------------------------------


def _validated(
    raw: tuple[ArrayLike, ArrayLike, ArrayLike, ArrayLike],
    performer: ArrayLike,
    reputation_cost: ArrayLike,
    noise: ArrayLike | None,
) -> tuple[list[Array], IntArray, Array, Array | None]:
    names = ("utility", "ratifier_utility", "reneged_utility", "reneged_ratifier_utility")
    arrays = [np.asarray(a, dtype=float) for a in raw]
    shape = arrays[0].shape
    if len(shape) != 3 or shape[2] != 2 or shape[1] < 1 or shape[0] < 1:
        raise ValueError(f"utility must have shape (N, D, 2), got {shape}")
    for name, arr in zip(names, arrays, strict=True):
        if arr.shape != shape or not np.isfinite(arr).all():
            raise ValueError(f"{name} must be finite with shape {shape}, got {arr.shape}")
    perf = np.asarray(performer)
    if perf.shape != (shape[1],) or not np.isin(perf, (-1, 0, 1)).all() or perf[0] != -1:
        raise ValueError(f"performer must be {shape[1]} codes in {{-1, 0, 1}} with -1 first")
    cost = _pair_array("reputation_cost", reputation_cost, shape[0])
    sigma = None if noise is None else _pair_array("noise", noise, shape[0])
    if sigma is not None and not (sigma >= 0).all():
        raise ValueError("noise must be non-negative")
    return arrays, perf.astype(np.intp), cost, sigma


def _pair_array(name: str, values: ArrayLike, n: int) -> Array:
    arr = np.asarray(values, dtype=float)
    if arr.shape != (n, 2) or not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite with shape ({n}, 2), got {arr.shape}")
    return arr


def _allocate(n: int, d: int, *, noisy: bool) -> dict[str, AnyArray]:
    """Output arrays for ``n`` draws; the probabilities only under noise."""
    out: dict[str, AnyArray] = {
        "offer": np.empty(n, dtype=np.intp),
        "outcome": np.empty(n, dtype=np.intp),
        "reneged": np.empty(n, dtype=bool),
        "payoff": np.empty((n, 2)),
        "stage": np.empty((n, d), dtype=np.int8),
        "margin": np.empty((n, d)),
        "anticipated_renege": np.empty((n, d), dtype=bool),
        "accepted": np.empty((n, d), dtype=bool),
        "ratified": np.empty((n, d, 2), dtype=bool),
        "against": np.empty((n, d, len(ROLES)), dtype=bool),
    }
    if noisy:
        out["outcome_probability"] = np.empty((n, d, 2))
        out["ratify_probability"] = np.empty((n, d))
    return out


# -- kernels: arrays indexed [actor, draw, deal] --------------------------------------------


def _by_actor(values: Array) -> Array:
    """``(n, D, 2)`` to a contiguous ``(2, n, D)``."""
    return np.ascontiguousarray(np.moveaxis(values, -1, 0))


def _column(values: Array) -> Array:
    """``(n, 2)`` per-side values to ``(2, n, 1)``, broadcasting over deals."""
    return np.ascontiguousarray(values.T)[:, :, None]


def _continuation(
    u: Array, r: Array, ur: Array, rr: Array, cost: Array, performer: IntArray, tol: float
) -> tuple[Array, Array, BoolArray, Array]:
    """Stage 4: continuation utilities ``cu``, ``cr`` (2, n, D), renege mask and gain (n, D).

    Only the deals with a performer (columns ``later``) are computed.
    """
    later = np.flatnonzero(performer >= 0)
    side = performer[later]
    on = (side == np.arange(2)[:, None])[:, None, :]  # (2, 1, L): side performs
    adj_u = ur[:, :, later] - cost * on
    adj_r = rr[:, :, later] - cost * on
    gain = np.full(u.shape[1:], -np.inf)
    gain[:, later] = np.where(on[0], adj_u[0], adj_u[1]) - np.where(
        on[0], u[0][:, later], u[1][:, later]
    )
    renege = gain > tol
    cu, cr = u.copy(), r.copy()
    cu[:, :, later] = np.where(renege[:, later], adj_u, u[:, :, later])
    cr[:, :, later] = np.where(renege[:, later], adj_r, r[:, :, later])
    return cu, cr, renege, gain


def _ratification(
    cr: Array, r: Array, ratification: bool, sigma: Array | None, tol: float
) -> tuple[Array, BoolArray, Array]:
    """Stage 3: ratifier margins (2, n, D), choices (2, n, D), probability both accept (n, D)."""
    margin = cr - r[:, :, :1]
    if not ratification:
        ones = np.ones(margin.shape[1:])
        return margin, np.ones(margin.shape, dtype=bool), ones
    votes = margin > tol
    if sigma is None:
        prob = (votes[0] & votes[1]).astype(float)
    else:
        from scipy.special import expit  # imported on use: scipy is slow to import

        noisy = sigma > 0  # a side without noise votes by the sign of its margin
        accept = np.where(noisy, expit(margin / np.where(noisy, sigma, 1.0)), votes)
        prob = accept[0] * accept[1]
    prob[:, 0] = 1.0
    votes[:, :, 0] = True
    return margin, votes, prob


def _offer(gain: Array, accepted: BoolArray, tol: float) -> IntArray:
    """Stage 1: the first deal within ``tol`` of the proposer's best gain, or 0."""
    candidate = accepted & (gain > tol)
    candidate[:, 0] = False
    scores = np.where(candidate, gain, -np.inf)
    best = scores.max(axis=1, keepdims=True)
    tied = candidate & (scores >= best - tol)
    return np.where(candidate.any(axis=1), tied.argmax(axis=1), 0)


def _stages(
    offer: IntArray,
    responder_margin: Array,
    ratifier_margin: Array,
    ratification: bool,
    renege: BoolArray,
    renege_gain: Array,
    gain: Array,
    tol: float,
) -> tuple[CodeArray, Array]:
    """Stage code and margin of every deal: the kill nearest the offer takes precedence."""
    rows = np.arange(len(offer))
    offered = np.arange(gain.shape[1]) == offer[:, None]
    code = np.where(offered, np.int8(Stage.HOLDS), np.int8(Stage.PROPOSER))
    margin = np.where(offered, gain, gain - gain[rows, offer][:, None])
    kills = [(renege, Stage.RENEGED, renege_gain)]
    if ratification:
        kills += [
            (ratifier_margin[1] <= tol, Stage.RUSSIA_RATIFIER, ratifier_margin[1]),
            (ratifier_margin[0] <= tol, Stage.JAPAN_RATIFIER, ratifier_margin[0]),
        ]
    kills.append((responder_margin <= tol, Stage.RESPONDER, responder_margin))
    for mask, stage, value in kills:  # from the performer back to the responder
        code = np.where(mask, np.int8(stage), code)
        margin = np.where(mask, value, margin)
    code[:, 0] = Stage.STATUS_QUO
    margin[:, 0] = np.nan
    return code, margin


def _against(
    cu: Array,
    sq: Array,
    responder_gain: Array,
    rat_margin: Array,
    ratification: bool,
    renege: BoolArray,
    proposer: int,
    tol: float,
) -> BoolArray:
    """Every actor of :data:`ROLES` that turns each deal down, shape (n, D, 5)."""
    out = np.zeros((*renege.shape, len(ROLES)), dtype=bool)
    out[..., 0] = cu[proposer] - sq[proposer] <= tol
    out[..., 1] = responder_gain <= tol
    if ratification:
        out[..., 2] = rat_margin[0] <= tol
        out[..., 3] = rat_margin[1] <= tol
    out[..., 4] = renege
    out[:, 0] = False
    return out


def _solve_chunk(
    utilities: tuple[Array, Array, Array, Array],
    cost: Array,
    performer: IntArray,
    proposer: int,
    ratification: bool,
    sigma: Array | None,
    tol: float,
) -> dict[str, AnyArray]:
    """Backward induction on ``(2, n, D)`` utilities; ``cost``, ``sigma`` of shape (2, n, 1)."""
    u, r, ur, rr = utilities
    cu, cr, renege, renege_gain = _continuation(u, r, ur, rr, cost, performer, tol)
    rat_margin, votes, prob = _ratification(cr, r, ratification, sigma, tol)
    sq = u[:, :, :1]
    responder_gain = cu[1 - proposer] - sq[1 - proposer]
    expected = prob * responder_gain
    accepted = expected > tol
    accepted[:, 0] = False
    gain = np.where(accepted, prob * (cu[proposer] - sq[proposer]), 0.0)
    offer = _offer(gain, accepted, tol)
    responder_margin = responder_gain
    if sigma is not None and ratification:
        noisy_draw = (sigma > 0).any(axis=0)  # (n, 1): this draw's votes are a gamble
        responder_margin = np.where(noisy_draw, expected, responder_gain)
    stage, margin = _stages(
        offer, responder_margin, rat_margin, ratification, renege, renege_gain, gain, tol
    )
    rows = np.arange(len(offer))
    p_offer = prob[rows, offer]
    renege_offer = renege[rows, offer]
    payoff = sq[:, :, 0] + p_offer * (cu[:, rows, offer] - sq[:, :, 0])
    likely = p_offer > 0.5
    out: dict[str, AnyArray] = {
        "offer": offer,
        "outcome": np.where(likely, offer, 0),
        "reneged": likely & renege_offer,
        "payoff": payoff.T,
        "stage": stage,
        "margin": margin,
        "anticipated_renege": renege,
        "accepted": accepted,
        "ratified": np.moveaxis(votes, 0, -1),
        "against": _against(
            cu, sq, responder_gain, rat_margin, ratification, renege, proposer, tol
        ),
    }
    if sigma is not None:
        probability = np.zeros((*prob.shape, 2))
        probability[rows, offer, renege_offer.astype(np.intp)] = p_offer
        probability[:, 0, 0] += 1.0 - p_offer
        out["outcome_probability"] = probability
        out["ratify_probability"] = prob
    return out
