r"""Alternating offers over a menu of deals plus a money transfer (Rubinstein bargaining).

Setting
-------
Two sides, Japan (index 0) and Russia (index 1), bargain over a menu of ``D`` deals;
deal 0 is the status quo. In draw ``n``, ``gains[n, d, a]`` is side *a*'s gain
(US$ bn) from deal *d* over the status quo. Money is transferable one for one
(transferable utility, TU): an agreement is a pair (deal *d*, transfer *t*), with
*t* paid by Japan to Russia (negative when Russia pays), worth
:math:`g_J(d) - t` to Japan and :math:`g_R(d) + t` to Russia. Each period one side
proposes and the other accepts or rejects; after a rejection, with probability
:math:`q` (the *breakdown risk*: irredentists capture the issue, a leader falls)
talks end for good in the status quo, otherwise the other side proposes in the next
period. Side *a* discounts a period by its patience :math:`\delta_a \in (0, 1)`.

Breakdown as impatience
    Rejecting an offer is worth :math:`\delta_a[(1-q)\,v_a + q\cdot 0]` to a side whose
    continuation value is :math:`v_a`, so only the *effective discount factor*
    :math:`\beta_a = \delta_a (1 - q)` matters (Binmore, Rubinstein & Wolinsky 1986).

Separation of deal and split (TU, without constraints)
    Whatever deal is proposed, the proposer must leave the responder its continuation
    value :math:`w` and keeps :math:`S_d - w` with :math:`S_d = g_J(d) + g_R(d)`; it
    therefore proposes a deal maximising the total surplus among the allowed deals
    (ties go to the earlier deal in the menu) and uses the transfer for the split. With
    :math:`S^* = \max_d S_d \le` ``tol`` there are no gains from trade: no agreement,
    the status quo.

Stationary subgame-perfect equilibrium (Rubinstein 1982)
    Let :math:`x_a` be side *a*'s share of :math:`S^*` when it proposes. The responder
    accepts exactly what rejecting is worth, :math:`\beta_r x_r`, so
    :math:`x_p = 1 - \beta_r x_r` and :math:`x_r = 1 - \beta_p x_p`, whence

    .. math::

        x_p = \frac{1 - \beta_r}{1 - \beta_p\beta_r}, \qquad
        1 - x_p = \frac{\beta_r (1 - \beta_p)}{1 - \beta_p\beta_r}.

    The first offer is accepted: under complete information there is no delay.
    With :math:`\beta_a = e^{-r_a\Delta}` and :math:`\Delta \to 0` Japan's share tends to
    :math:`r_R / (r_J + r_R)`, the asymmetric Nash solution, and to the symmetric Nash
    solution (an equal split of :math:`S^*`) when both factors tend to 1 at the same
    rate.

Finite horizon (Ståhl 1972)
    With ``T`` rounds, the last proposer offers the responder its status-quo gain and
    keeps the whole surplus; a rejection in the last round ends in the status quo. Let
    :math:`f_k` be the share of the side proposing when *k* rounds remain:
    :math:`f_0 = 0`, :math:`f_1 = 1` and :math:`f_k = 1 - \beta_{r(k)} f_{k-1}`, with
    :math:`r(k)` the responder of that round (the proposer of the next). The recursion
    is solved backwards over the rounds, vectorised over draws; as ``T`` grows
    :math:`f_T` tends to the stationary :math:`x_p`.

Constraints on the transfer
---------------------------
With any of the keyword-only arguments of :func:`solve_alternating` money is no longer
transferable one for one and the separation above fails. An agreement (*d*, *t*) is
*feasible* when

* ``-cap_R <= t <= cap_J`` (Japan's budget; Russia's);
* each government gains at least its status quo *with the transfer*:
  :math:`g_J(d) - t \ge 0` and :math:`g_R(d) + t - \kappa^g_d t^+ \ge 0`, where
  :math:`\kappa^g_d` (``transfer_cost``) is Russia's cost per dollar received with deal
  *d* (the money-for-land cost) and :math:`t^+ = \max(t, 0)`;
* with ``ratifier_gains``, each ratifier too: :math:`r_J(d) - t \ge 0`,
  :math:`r_R(d) + t - \kappa^r_d t^+ \ge 0`;
* the side that performs later does not renege (Fearon 1995): the transfer is paid at
  signing, so reneging Japan escapes nothing of it and the condition is
  :math:`\rho_d \le 0`, while reneging Russia keeps it and escapes the money-for-land
  cost: :math:`\rho_d + \kappa^g_d t^+ \le 0`, with :math:`\rho_d` (``renege_gain``)
  the performer's gain from reneging at zero transfer. An agreement that would be
  reneged on is not an agreement.

Every condition is linear in *t* on each side of zero, so each deal splits into two
*pieces* (Russia pays, Japan pays) on which the feasible transfers form an interval
:math:`[\ell, h]`, and every payoff is linear.

Backward induction over rounds (Ståhl 1972)
    Let :math:`v^{k-1}` be both sides' values when ``k - 1`` rounds remain
    (:math:`v^0 = 0`, the status quo). With *k* rounds left, proposer *p* and responder
    *b*: the responder accepts an offer worth at least :math:`\beta_b v^{k-1}_b` (its
    value of rejecting), which adds a half-line to each piece's interval. On a piece the
    proposer's payoff is linear in *t*, so its best offer is an end of the interval —
    a clamp: Japan offers the least transfer Russia accepts, Russia asks the most Japan
    accepts (the least when money is worth nothing to Russia's government). The proposer
    then takes the best piece (ties to the earlier deal in the menu) if it is worth more
    than waiting, :math:`\beta_p v^{k-1}_p` (the other proposes next); otherwise it waits,
    and :math:`v^k = \beta \odot v^{k-1}`. Waiting is possible here, unlike under TU,
    because the feasible set need not be convex; the result's ``delay`` counts those
    rounds. The finite game (``deadline``) is exactly this recursion, vectorised over
    draws.

Stationary limit (no deadline)
    Without the closed form, the infinite game is the limit of the finite games with
    the first proposer moving first: the recursion is iterated in pairs of rounds until
    a pair moves no value of a draw by more than ``tol``. Convergence: the values are
    bounded (by the largest gains) and, once the pieces offered and the constraints that
    bind stop changing, the two-round map is affine in a single value with slope
    :math:`\beta_J\beta_R\,s/s'` (:math:`s, s'` Russia's payoff slopes on the two
    pieces offered; a constraint other than the responder's makes the map constant). So
    the values converge geometrically whenever that slope is below one — always when
    both sides offer the same piece, in particular under TU, where the limit is
    Rubinstein's closed form (checked in the tests, as is the agreement with long finite
    games on random constrained instances). Convergence is checked, not assumed. A
    geometric sequence's limit is given exactly by
    Aitken's :math:`\Delta^2` extrapolation of three iterates; the solver tries it
    after each pair of rounds and accepts it for a draw only if one more pair of rounds
    moves none of its values by more than ``tol`` — the stopping rule of the plain
    iteration. A draw that has not settled after ``max_rounds`` rounds is reported with
    ``converged`` False. Each draw stops on its own values, so its result does not
    depend on the rest of the batch. When the first proposer prefers to wait in the
    limit, the other side's stationary offer is agreed one round later (delay 1); when
    both wait, there is no agreement.

Sources
-------
* J. D. Fearon (1995), "Rationalist explanations for war", *International Organization*
  49, 379-414.
* A. C. Aitken (1926), "On Bernoulli's numerical solution of algebraic equations",
  *Proceedings of the Royal Society of Edinburgh* 46, 289-305.
* A. Rubinstein (1982), "Perfect equilibrium in a bargaining model", *Econometrica*
  50, 97-109.
* K. Binmore, A. Rubinstein and A. Wolinsky (1986), "The Nash bargaining solution in
  economic modelling", *RAND Journal of Economics* 17, 176-188.
* I. Ståhl (1972), *Bargaining Theory*, Stockholm: Economic Research Institute.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.tolerance import TOL

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]

MAX_ROUNDS = 20_000
"""Default bound on the rounds of the infinite-horizon recursion."""


@dataclass(frozen=True)
class AlternatingResult:
    r"""Equilibrium agreement of the alternating-offers game, for ``N`` draws.

    Attributes
    ----------
    deal : ndarray of int, shape (N,)
        Agreed deal (under TU a surplus maximiser among the allowed deals); 0 (the status
        quo) when there is no agreement.
    agreement : ndarray of bool, shape (N,)
        Whether the sides agree (under TU: some allowed deal has a surplus above the
        tolerance).
    surplus : ndarray, shape (N,)
        Total gain of the agreement, transfer and its costs included (0 without
        agreement).
    share : ndarray, shape (N, 2)
        Japan's and Russia's shares of the surplus; they sum to 1 with an agreement
        and are 0 without one.
    payoff : ndarray, shape (N, 2)
        Gains over the status quo once agreed, transfer included, ``share * surplus``.
    transfer : ndarray, shape (N,)
        Money paid by Japan to Russia (US$ bn; negative when Russia pays).
    delay : ndarray of int, shape (N,)
        Rounds before agreement: 0 under TU (the first offer is accepted); with
        constraints a proposer may prefer to wait for the other's offer. 0 by convention
        where there is no agreement.
    proposer : ndarray of int, shape (N,)
        Side making the first offer (0 Japan, 1 Russia).
    effective_discount : ndarray, shape (N, 2)
        :math:`\beta_a = \delta_a (1 - q)`, patience net of the breakdown risk.
    deadline : int or None
        Number of rounds of the finite game; None for the infinite horizon.
    value : ndarray, shape (N, 2)
        Each side's expected value of the game at the first round, over the status quo:
        ``payoff`` discounted by ``delay`` rounds of patience and breakdown risk (equal
        to ``payoff`` without delay).
    converged : ndarray of bool, shape (N,)
        Whether the recursion reached its stationary point (always True for the closed
        form and for a finite deadline).
    rounds : ndarray of int, shape (N,)
        Rounds of backward induction iterated (0 for the closed form).
    deal_ids : tuple of str
        The deals ``deal`` indexes (empty when the caller gave none).
    method : str
        How the agreement was found.
    tol : float
        Tolerance on the surplus (US$ bn).
    """

    deal: IntArray
    agreement: BoolArray
    surplus: Array
    share: Array
    payoff: Array
    transfer: Array
    delay: IntArray
    proposer: IntArray
    effective_discount: Array
    deadline: int | None
    value: Array
    converged: BoolArray
    rounds: IntArray
    deal_ids: tuple[str, ...] = ()
    method: str = "stationary subgame-perfect equilibrium (Rubinstein 1982; Ståhl 1972)"
    tol: float = TOL


def rubinstein_shares(beta_proposer: ArrayLike, beta_responder: ArrayLike) -> tuple[Array, Array]:
    r"""Stationary shares of the proposer and the responder, infinite horizon.

    Parameters
    ----------
    beta_proposer, beta_responder : array_like, broadcastable
        Effective discount factors in [0, 1).

    Returns
    -------
    proposer, responder : ndarray
        :math:`(1-\beta_r)/(1-\beta_p\beta_r)` and
        :math:`\beta_r(1-\beta_p)/(1-\beta_p\beta_r)`, of the broadcast shape.

    Examples
    --------
    >>> p, r = rubinstein_shares(0.5, 0.5)
    >>> round(float(p), 4), round(float(r), 4)
    (0.6667, 0.3333)
    """
    bp, br = _betas(beta_proposer, beta_responder)
    return _stationary(bp, br)


def finite_horizon_shares(
    beta_proposer: ArrayLike, beta_responder: ArrayLike, deadline: int
) -> tuple[Array, Array]:
    """Shares of the first proposer and the first responder when ``deadline`` rounds remain.

    Proposers alternate; in the last round the proposer keeps the whole surplus.

    Parameters
    ----------
    beta_proposer, beta_responder : array_like, broadcastable
        Effective discount factors of the first proposer and the first responder, in
        [0, 1).
    deadline : int
        Number of rounds, at least 1.

    Returns
    -------
    proposer, responder : ndarray
        Shares of the surplus agreed in the first round, of the broadcast shape.

    Examples
    --------
    >>> p, r = finite_horizon_shares(0.9, 0.8, 2)
    >>> round(float(p), 4), round(float(r), 4)
    (0.2, 0.8)
    """
    bp, br = _betas(beta_proposer, beta_responder)
    return _backward(bp, br, _check_deadline(deadline))


def solve_alternating(
    gains: ArrayLike,
    patience: ArrayLike,
    breakdown: ArrayLike = 0.0,
    proposer: ArrayLike = 0,
    deadline: int | None = None,
    allowed: ArrayLike | None = None,
    tol: float = TOL,
    deal_ids: tuple[str, ...] = (),
    *,
    ratifier_gains: ArrayLike | None = None,
    transfer_cap: ArrayLike | None = None,
    transfer_cost: ArrayLike | None = None,
    performer: ArrayLike | None = None,
    renege_gain: ArrayLike | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> AlternatingResult:
    """Subgame-perfect agreement of the alternating-offers game with a transfer.

    Without any of the keyword-only constraints the game has transferable utility and
    the closed forms of the module docstring apply; with any of them the agreement is
    found by backward induction over the rounds (see "Constraints on the transfer").

    Parameters
    ----------
    gains : array_like, shape (N, D, 2)
        Gains of Japan and Russia over the status quo; deal 0 is the status quo (zeros).
    patience : array_like, shape (N, 2)
        Discount factors per period, in (0, 1).
    breakdown : float or array_like of shape (N,)
        Probability in [0, 1) that talks end for good after a rejection.
    proposer : int or array_like of int, shape (N,)
        Side making the first offer: 0 Japan, 1 Russia.
    deadline : int, optional
        Number of rounds ``T >= 1``; None (default) for the infinite horizon.
    allowed : array_like of bool, shape (N, D), optional
        Deals that may be agreed (default: all).
    tol : float
        Tolerance on the surplus.
    deal_ids : tuple of str, optional
        Names of the ``D`` deals, carried by the result.
    ratifier_gains : array_like, shape (N, D, 2), optional
        Gains of Japan's and Russia's ratifiers at zero transfer; given, an agreement
        must leave each ratifier at least its status quo *with the transfer included*.
    transfer_cap : array_like, shape (N, 2), optional
        Most Japan can pay Russia (``[:, 0]``) and Russia can pay Japan (``[:, 1]``),
        US$ bn, non-negative, ``inf`` for no cap (default: no cap).
    transfer_cost : array_like, shape (N, D, 2), optional
        Cost to Russia's government (``[..., 0]``) and ratifier (``[..., 1]``) of each
        dollar Japan pays with deal *d* (the money-for-land cost); non-negative.
    performer : array_like of int, shape (D,), optional
        Side that performs each deal after signing (0 Japan, 1 Russia, -1 nobody).
    renege_gain : array_like, shape (N, D), optional
        The performer's gain from reneging on deal *d* at zero transfer, net of its
        reputation cost (with ``performer``); an agreement must leave it at most 0.
    max_rounds : int
        Most rounds of the infinite-horizon recursion before a draw is reported as not
        converged.

    Returns
    -------
    AlternatingResult

    Raises
    ------
    ValueError
        On a bad shape, patience outside (0, 1), breakdown outside [0, 1), a proposer
        other than 0 or 1, a deadline below 1 or a negative tolerance.
    """
    g = _check_gains(gains, tol)
    n = g.shape[0]
    delta = _check_patience(patience, n)
    q = _per_draw("breakdown", breakdown, n)
    if np.any(~(q >= 0) | ~(q < 1)):
        raise ValueError("breakdown must lie in [0, 1)")
    first = _check_proposer(proposer, n)
    mask = _check_allowed(allowed, g.shape[:2])
    horizon = None if deadline is None else _check_deadline(deadline)
    beta = delta * (1.0 - q)[:, None]
    limits = _check_constraints(
        g, ratifier_gains, transfer_cap, transfer_cost, performer, renege_gain
    )
    if limits is not None and g.shape[1] > 1:
        pieces = _pieces(g, mask, limits, tol)
        found = _solve_pieces(pieces, beta, first, horizon, max_rounds, tol)
        return replace(found, deal_ids=tuple(deal_ids), tol=tol)
    deal, surplus, agreement = _best_deal(g[..., 0] + g[..., 1], mask, tol)
    share = np.where(agreement[:, None], _shares(beta, first, horizon), 0.0)
    found = _assemble(g, deal, surplus, agreement, share, first, beta, horizon)
    return replace(found, deal_ids=tuple(deal_ids), tol=tol)


# -- validation ------------------------------------------------------------------------


def _betas(beta_proposer: ArrayLike, beta_responder: ArrayLike) -> tuple[Array, Array]:
    bp, br = np.broadcast_arrays(
        np.asarray(beta_proposer, dtype=float), np.asarray(beta_responder, dtype=float)
    )
    for name, b in (("beta_proposer", bp), ("beta_responder", br)):
        if np.any(~(b >= 0) | ~(b < 1)):
            raise ValueError(f"{name} must lie in [0, 1)")
    return bp, br


def _check_deadline(deadline: object) -> int:
    if isinstance(deadline, bool | np.bool_) or not isinstance(deadline, int | np.integer):
        raise ValueError(f"deadline must be an integer >= 1, got {deadline!r}")
    if deadline < 1:
        raise ValueError(f"deadline must be an integer >= 1, got {deadline}")
    return int(deadline)


def _check_gains(gains: ArrayLike, tol: float) -> Array:
    if not (np.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a finite non-negative number, got {tol}")
    g = np.asarray(gains, dtype=float)
    if g.ndim != 3 or g.shape[2] != 2 or g.shape[0] < 1 or g.shape[1] < 1:
        raise ValueError(f"gains must have shape (N, D, 2) with N, D >= 1, got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("gains has non-finite entries (nan or inf)")
    if np.any(np.abs(g[:, 0, :]) > tol):
        raise ValueError("deal 0 is the status quo: gains[:, 0, :] must be 0")
    return g


def _check_patience(patience: ArrayLike, n: int) -> Array:
    delta = np.asarray(patience, dtype=float)
    if delta.shape != (n, 2):
        raise ValueError(f"patience must have shape ({n}, 2), got {delta.shape}")
    if np.any(~(delta > 0) | ~(delta < 1)):
        raise ValueError("patience must lie in the open interval (0, 1)")
    return delta


def _per_draw(name: str, value: ArrayLike, n: int) -> Array:
    """A scalar or an ``(N,)`` array as a float array of shape ``(N,)``."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a scalar or have shape ({n},), got {arr.shape}")
    return arr


def _check_proposer(proposer: ArrayLike, n: int) -> IntArray:
    arr = np.asarray(proposer)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"proposer must be the integer 0 or 1, got dtype {arr.dtype}")
    if arr.shape not in ((), (n,)):
        raise ValueError(f"proposer must be a scalar or have shape ({n},), got {arr.shape}")
    if not np.all(np.isin(arr, (0, 1))):
        raise ValueError("proposer must be 0 (Japan) or 1 (Russia)")
    return np.broadcast_to(arr, (n,)).astype(np.intp)


def _check_allowed(allowed: ArrayLike | None, shape: tuple[int, ...]) -> BoolArray:
    if allowed is None:
        return np.ones(shape, dtype=bool)
    mask = np.asarray(allowed)
    if mask.dtype != np.bool_ or mask.shape != shape:
        raise ValueError(
            f"allowed must be a boolean array of shape {shape}, got {mask.dtype} {mask.shape}"
        )
    return mask


# -- kernels ---------------------------------------------------------------------------


def _stationary(bp: Array, br: Array) -> tuple[Array, Array]:
    """Rubinstein's closed form, proposer's and responder's shares."""
    denominator = 1.0 - bp * br
    return (1.0 - br) / denominator, br * (1.0 - bp) / denominator


def _backward(bp: Array, br: Array, deadline: int) -> tuple[Array, Array]:
    """Backward induction ``f_k = 1 - beta_{r(k)} f_{k-1}`` from ``f_1 = 1``."""
    share = np.ones(np.broadcast(bp, br).shape)
    for k in range(2, deadline + 1):
        # With k rounds left the first proposer proposes iff T - k is even.
        responder = br if (deadline - k) % 2 == 0 else bp
        share = 1.0 - responder * share
    return share, 1.0 - share


def _best_deal(surplus: Array, allowed: BoolArray, tol: float) -> tuple[IntArray, Array, BoolArray]:
    """First allowed surplus maximiser (within ``tol``), its surplus, and agreement."""
    scores = np.where(allowed, surplus, -np.inf)
    best = scores.max(axis=1)
    agreement = np.asarray(best > tol, dtype=bool)
    first = np.argmax(allowed & (scores >= best[:, None] - tol), axis=1)
    deal = np.where(agreement, first, 0).astype(np.intp)
    value = np.where(agreement, surplus[np.arange(len(deal)), deal], 0.0)
    return deal, value, agreement


def _shares(beta: Array, proposer: IntArray, deadline: int | None) -> Array:
    """Japan's and Russia's shares of the surplus, shape ``(N, 2)``."""
    rows = np.arange(len(proposer))
    bp, br = beta[rows, proposer], beta[rows, 1 - proposer]
    if deadline is None:
        first, second = _stationary(bp, br)
    else:
        first, second = _backward(bp, br, deadline)
    japan = np.where(proposer == 0, first, second)
    return np.stack([japan, 1.0 - japan], axis=-1)


def _assemble(
    g: Array,
    deal: IntArray,
    surplus: Array,
    agreement: BoolArray,
    share: Array,
    proposer: IntArray,
    beta: Array,
    deadline: int | None,
) -> AlternatingResult:
    """Payoffs and the transfer that implements the split: ``g_J(d) - t = share_J S``."""
    payoff = share * surplus[:, None]
    gain_japan = g[np.arange(len(deal)), deal, 0]
    transfer = np.where(agreement, gain_japan - payoff[:, 0], 0.0)
    return AlternatingResult(
        deal=deal,
        agreement=agreement,
        surplus=surplus,
        share=share,
        payoff=payoff,
        transfer=transfer,
        delay=np.zeros(len(deal), dtype=np.intp),
        proposer=proposer,
        effective_discount=beta,
        deadline=deadline,
        value=payoff,
        converged=np.ones(len(deal), dtype=bool),
        rounds=np.zeros(len(deal), dtype=np.intp),
    )


# -- constraints on the transfer -------------------------------------------------------


@dataclass(frozen=True)
class _Limits:
    """The checked constraints on (deal, transfer) pairs."""

    ratifier: Array | None  # (N, D, 2) ratifiers' gains at zero transfer
    cap: Array  # (N, 2) most Japan / Russia can pay
    cost: Array  # (N, D, 2) Russia's government / ratifier cost per dollar from Japan
    performer: IntArray  # (D,)
    renege: Array  # (N, D) performer's renege gain at zero transfer


@dataclass(frozen=True)
class _Pieces:
    """Each deal split at zero transfer into two pieces on which every payoff is linear.

    Each deal has a piece where Russia pays (``t < 0``; left out when no draw lets
    Russia pay) and one where Japan pays (``t >= 0``), in menu order; ``lo <= t <= hi``
    is the transfer that satisfies every constraint that does not depend on the round
    (``lo > hi``: none). Pieces infeasible in every draw are dropped.
    """

    deal: IntArray  # (P,)
    level: Array  # (N, P, 2) governments' gains at t = 0
    slope: Array  # (N, P, 2) their change per dollar of t
    lo: Array  # (N, P)
    hi: Array  # (N, P)


def _check_constraints(
    g: Array,
    ratifier_gains: ArrayLike | None,
    transfer_cap: ArrayLike | None,
    transfer_cost: ArrayLike | None,
    performer: ArrayLike | None,
    renege_gain: ArrayLike | None,
) -> _Limits | None:
    """The constraints as arrays, or None when none is given (the TU game)."""
    given = (ratifier_gains, transfer_cap, transfer_cost, performer, renege_gain)
    if all(x is None for x in given):
        return None
    n, d = g.shape[:2]
    ratifier = None
    if ratifier_gains is not None:
        ratifier = _finite_array("ratifier_gains", ratifier_gains, (n, d, 2))
    cap = np.full((n, 2), np.inf)
    if transfer_cap is not None:
        cap = np.array(np.broadcast_to(np.asarray(transfer_cap, dtype=float), (n, 2)))
        if np.any(~(cap >= 0)):
            raise ValueError("transfer_cap must be non-negative (inf for no cap)")
    cost = np.zeros((n, d, 2))
    if transfer_cost is not None:
        cost = _finite_array("transfer_cost", transfer_cost, (n, d, 2))
        if np.any(cost < 0):
            raise ValueError("transfer_cost must be non-negative")
    if (performer is None) != (renege_gain is None):
        raise ValueError("performer and renege_gain must be given together")
    perf = np.full(d, -1, dtype=np.intp)
    renege = np.zeros((n, d))
    if performer is not None:
        perf = np.asarray(performer)
        if perf.shape != (d,) or perf.dtype.kind not in "iu" or not np.isin(perf, (-1, 0, 1)).all():
            raise ValueError(f"performer must be integers -1, 0 or 1 of shape ({d},)")
        renege = np.asarray(renege_gain, dtype=float)
        if renege.shape != (n, d) or np.isnan(renege).any() or np.isposinf(renege).any():
            raise ValueError(f"renege_gain must have shape ({n}, {d}), no nan or +inf")
    return _Limits(ratifier, cap, cost, perf.astype(np.intp), renege)


def _finite_array(name: str, value: ArrayLike, shape: tuple[int, ...]) -> Array:
    arr = np.asarray(value, dtype=float)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has non-finite entries (nan or inf)")
    return arr


def _tighten(lo: Array, hi: Array, c0: Array, c1: Array, tol: float) -> tuple[Array, Array]:
    """Intersect ``[lo, hi]`` with ``{t : c0 + c1 t >= -tol}``, elementwise (new arrays)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = (-tol - c0) / c1
    lo = np.maximum(lo, bound, out=np.array(lo, dtype=float), where=c1 > 0)
    hi = np.minimum(hi, bound, out=np.array(hi, dtype=float), where=c1 < 0)
    lo[(c1 == 0) & (c0 < -tol)] = np.inf
    return lo, hi


def _pieces(g: Array, allowed: BoolArray, limits: _Limits, tol: float) -> _Pieces:
    """Split deals ``1..D-1`` by the sign of the transfer; the round-free bounds on ``t``."""
    d = g.shape[1]
    # t = 0 belongs to Japan's piece; Russia's is left out when no draw lets Russia pay.
    signs = [1.0] if not (limits.cap[:, 1] > 0).any() else [0.0, 1.0]
    deals = np.repeat(np.arange(1, d), len(signs))
    pays = np.tile(signs, d - 1)[None, :]  # 1 where Japan pays (t >= 0)
    lo = np.where(pays > 0, 0.0, -limits.cap[:, 1:2])
    hi = np.where(pays > 0, limits.cap[:, 0:1], 0.0)
    # Each government and each ratifier at least its status quo, transfer included. A
    # Japanese gain falls by one per dollar, so Japan's bounds are on t directly ...
    hi = np.minimum(hi, g[:, deals, 0] + tol)
    if limits.ratifier is not None:
        hi = np.minimum(hi, limits.ratifier[:, deals, 0] + tol)
    open_ = allowed[:, deals]
    if len(signs) == 2:  # Russia's piece only where that draw lets Russia pay
        open_ = open_ & ((pays > 0) | (limits.cap[:, 1:2] > 0))
    lo = np.where(open_, lo, np.inf)
    # ... and the pieces they leave empty in every draw are dropped before the rest:
    # such a piece can never be offered, so no draw's result changes (the first best
    # piece keeps its place in the menu order).
    some = np.array((lo <= hi).any(axis=0), dtype=bool)
    some[0] |= not some.any()  # one infeasible piece: no agreement
    deals, pays, lo, hi = deals[some], pays[:, some], lo[:, some], hi[:, some]
    take = slice(1, None) if len(deals) == d - 1 == some.size else deals  # a view if it can
    cost, level = limits.cost[:, take], g[:, take]
    slope = np.stack([-np.ones_like(lo), 1.0 - pays * cost[..., 0]], axis=-1)
    lo, hi = _tighten(lo, hi, level[..., 1], slope[..., 1], tol)
    if limits.ratifier is not None:
        ratifier = limits.ratifier[:, take, 1]
        lo, hi = _tighten(lo, hi, ratifier, 1.0 - pays * cost[..., 1], tol)
    # The transfer is paid at signing: a performing Russia keeps it either way but
    # bears the money-for-land cost only if it hands the islands over.
    perf = limits.performer[deals]
    if (perf >= 0).any():
        temptation = np.where(perf == 1, pays * cost[..., 0], 0.0)
        renege = np.where(perf >= 0, limits.renege[:, take], -np.inf)
        lo, hi = _tighten(lo, hi, -renege, -temptation, tol)
    return _Pieces(deals.astype(np.intp), level, slope, lo, hi)


def _offer(
    pieces: _Pieces, v: Array, beta: Array, proposer: IntArray, tol: float
) -> tuple[Array, BoolArray, IntArray, Array]:
    """One round: the proposer's best acceptable offer given next round's values ``v``.

    Returns the values of this round, whether the proposer makes an acceptable offer
    (else it waits), and the piece and transfer offered.
    """
    rows = np.arange(len(proposer))
    japan = proposer == 0
    reserve = (beta[rows, 1 - proposer] * v[rows, 1 - proposer])[:, None]
    wait = beta[rows, proposer] * v[rows, proposer]
    level_j, level_r, slope_r = pieces.level[..., 0], pieces.level[..., 1], pieces.slope[..., 1]
    # Japan proposes: the least t that leaves Russia its reservation (Japan loses 1 per
    # dollar). Russia proposes: the most t Japan accepts, or the least if money is worth
    # nothing to Russia's government.
    # (Only the branch some draw needs is computed; each row's formula is the same.)
    j = japan[:, None]
    if japan.all():
        lo, hi = _tighten(pieces.lo, pieces.hi, level_r - reserve, slope_r, 0.0)
    elif not japan.any():
        lo, hi = pieces.lo, np.minimum(pieces.hi, level_j - reserve)
    else:
        lo_j, hi_j = _tighten(pieces.lo, pieces.hi, level_r - reserve, slope_r, 0.0)
        hi_r = np.minimum(pieces.hi, level_j - reserve)
        lo, hi = np.where(j, lo_j, pieces.lo), np.where(j, hi_j, hi_r)
    feasible = lo <= hi
    t = np.where(feasible, np.where(j | (slope_r <= 0), lo, hi), 0.0)
    gain = np.where(j, level_j - t, level_r + slope_r * t)
    gain = np.where(feasible, gain, -np.inf)
    best = gain.max(axis=1)
    piece = np.argmax(gain >= best[:, None] - tol, axis=1).astype(np.intp)
    offer = best > wait + tol
    chosen = t[rows, piece]
    agreed = pieces.level[rows, piece] + pieces.slope[rows, piece] * chosen[:, None]
    return np.where(offer[:, None], agreed, beta * v), offer, piece, chosen


def _solve_pieces(
    pieces: _Pieces,
    beta: Array,
    first: IntArray,
    deadline: int | None,
    max_rounds: int,
    tol: float,
) -> AlternatingResult:
    """Backward induction over the rounds; the stationary limit without a deadline."""
    n = len(first)
    v = np.zeros((n, 2))
    if deadline is not None:
        offers, pieces_at, transfers = [], [], []
        for k in range(1, deadline + 1):
            proposer = first if (deadline - k) % 2 == 0 else 1 - first
            v, offer, piece, t = _offer(pieces, v, beta, proposer, tol)
            offers.append(offer)
            pieces_at.append(piece)
            transfers.append(t)
        order = slice(None, None, -1)  # from the first round (k = deadline) down
        made = np.array(offers[order])
        delay = np.argmax(made, axis=0).astype(np.intp)
        agreement = np.asarray(made.any(axis=0), dtype=bool)
        cols = np.arange(n)
        piece = np.array(pieces_at[order])[delay, cols]
        t = np.array(transfers[order])[delay, cols]
        converged, rounds = np.ones(n, dtype=bool), np.full(n, deadline, dtype=np.intp)
    else:
        v, agreement, piece, t, delay, converged, rounds = _stationary_limit(
            pieces, beta, first, max_rounds, tol
        )
    path = _Path(agreement, piece, t, delay, v, converged, rounds)
    return _assemble_pieces(pieces, path, first, beta, deadline)


def _stationary_limit(
    pieces: _Pieces, beta: Array, first: IntArray, max_rounds: int, tol: float
) -> tuple[Array, BoolArray, IntArray, Array, IntArray, BoolArray, IntArray]:
    """Iterate the recursion in pairs of rounds until no value moves by more than ``tol``.

    Odd rounds (counted from the end) have the first proposer. A draw stops as soon as
    its own values settle, so its result does not depend on the other draws.
    """
    n = len(first)
    v, before = np.zeros((n, 2)), np.full((n, 2), np.inf)
    offer = np.zeros((2, n), dtype=bool)  # [0]: the other side's round, [1]: the first's
    piece = np.zeros((2, n), dtype=np.intp)
    t = np.zeros((2, n))
    rounds = np.zeros(n, dtype=np.intp)
    # The draws still iterating (the others keep their last rounds); a draw with no
    # feasible (deal, transfer) has nothing to iterate: no agreement.
    open_ = np.array((pieces.lo <= pieces.hi).any(axis=1), dtype=bool)
    live = np.flatnonzero(open_)
    part = _take(pieces, open_)
    older = np.full((n, 2), np.inf)
    found = (v, offer, piece, t)
    k = 0
    while live.size and k < max_rounds:
        k += 1
        proposer = first[live] if k % 2 else 1 - first[live]
        v[live], offer[k % 2, live], piece[k % 2, live], t[k % 2, live] = _offer(
            part, v[live], beta[live], proposer, tol
        )
        rounds[live] = k
        if k % 2:
            moved = np.abs(v[live] - before[live]).max(axis=1) > tol
            if k >= 5:
                moved &= ~_accelerate(part, live, (older, before, v), beta, first, tol, found)
            older[live], before[live] = before[live], v[live]
            if not moved.all():
                live, part = live[moved], _take(part, moved)
    converged = np.ones(n, dtype=bool)
    converged[live] = False
    agreement = offer[1] | offer[0]
    delay = np.where(offer[1], 0, 1).astype(np.intp)
    chosen = np.where(offer[1], piece[1], piece[0])
    paid = np.where(offer[1], t[1], t[0])
    return v, agreement, chosen, paid, delay, converged, rounds


def _accelerate(
    part: _Pieces,
    live: IntArray,
    history: tuple[Array, Array, Array],
    beta: Array,
    first: IntArray,
    tol: float,
    found: tuple[Array, BoolArray, IntArray, Array],
) -> BoolArray:
    """Try Aitken's extrapolation of the last three odd rounds; keep it where it is a fixed point.

    Where the offers repeat, each value follows ``c + a r^k`` (an affine two-round map),
    whose limit Aitken's delta-squared formula gives exactly. The candidate is accepted
    for a draw only if one more pair of rounds moves none of its values by more than
    ``tol`` (the stopping rule of the plain iteration); the values and offers stored
    for it are then those of that verifying pair. Returns which live draws settled.
    """
    x0, x1, x2 = (h[live] for h in history)
    d1, d2 = x1 - x0, x2 - x1
    curve = d2 - d1
    with np.errstate(divide="ignore", invalid="ignore"):
        limit = np.where(np.abs(curve) > tol, x2 - d2 * d2 / curve, x2)
    rows = np.arange(len(live))
    other = _offer(part, limit, beta[live], 1 - first[live], tol)
    again = _offer(part, other[0], beta[live], first[live], tol)
    settled = np.isfinite(limit).all(axis=1) & (np.abs(again[0] - limit).max(axis=1) <= tol)
    v, offer, piece, t = found
    done = live[settled]
    v[done] = again[0][settled]
    for side, result in ((0, other), (1, again)):
        offer[side, done] = result[1][rows[settled]]
        piece[side, done] = result[2][settled]
        t[side, done] = result[3][settled]
    return np.asarray(settled, dtype=bool)


def _take(pieces: _Pieces, rows: BoolArray) -> _Pieces:
    """The pieces of some draws only."""
    return _Pieces(
        pieces.deal, pieces.level[rows], pieces.slope[rows], pieces.lo[rows], pieces.hi[rows]
    )


@dataclass(frozen=True)
class _Path:
    """Where the recursion ends in each draw."""

    agreement: BoolArray
    piece: IntArray
    transfer: Array
    delay: IntArray
    value: Array
    converged: BoolArray
    rounds: IntArray


def _assemble_pieces(
    pieces: _Pieces, path: _Path, proposer: IntArray, beta: Array, deadline: int | None
) -> AlternatingResult:
    """The agreement on the path: its deal, transfer, gains and shares."""
    rows, agreed = np.arange(len(proposer)), path.agreement
    t = np.where(agreed, path.transfer, 0.0)
    payoff = pieces.level[rows, path.piece] + pieces.slope[rows, path.piece] * t[:, None]
    payoff = np.where(agreed[:, None], payoff, 0.0)
    surplus = payoff.sum(axis=1)
    safe = np.where(surplus > 0, surplus, 1.0)
    share = np.where(agreed[:, None] & (surplus[:, None] > 0), payoff / safe[:, None], 0.0)
    horizon = "a deadline" if deadline is not None else "the stationary limit"
    return AlternatingResult(
        deal=np.where(agreed, pieces.deal[path.piece], 0).astype(np.intp),
        agreement=agreed,
        surplus=surplus,
        share=share,
        payoff=payoff,
        transfer=t,
        delay=np.where(agreed, path.delay, 0).astype(np.intp),
        proposer=proposer,
        effective_discount=beta,
        deadline=deadline,
        value=np.where(agreed[:, None], path.value, 0.0),
        converged=path.converged,
        rounds=path.rounds,
        method="backward induction over rounds with the transfer constrained "
        f"(subgame-perfect; {horizon})",
    )
