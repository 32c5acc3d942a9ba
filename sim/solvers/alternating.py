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

Separation of deal and split (TU)
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

Sources
-------
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


@dataclass(frozen=True)
class AlternatingResult:
    r"""Equilibrium agreement of the alternating-offers game, for ``N`` draws.

    Attributes
    ----------
    deal : ndarray of int, shape (N,)
        Agreed deal, a surplus maximiser among the allowed deals; 0 (the status quo)
        when there is no agreement.
    agreement : ndarray of bool, shape (N,)
        Whether some allowed deal has a surplus above the tolerance.
    surplus : ndarray, shape (N,)
        Total gain :math:`g_J + g_R` of the agreed deal (0 without agreement).
    share : ndarray, shape (N, 2)
        Japan's and Russia's shares of the surplus; they sum to 1 with an agreement
        and are 0 without one.
    payoff : ndarray, shape (N, 2)
        Final gains over the status quo after the transfer, ``share * surplus``.
    transfer : ndarray, shape (N,)
        Money paid by Japan to Russia (US$ bn; negative when Russia pays).
    delay : ndarray of int, shape (N,)
        Periods before agreement. Always 0: under complete information the first
        offer is accepted; 0 by convention where there is no agreement.
    proposer : ndarray of int, shape (N,)
        Side making the first offer (0 Japan, 1 Russia).
    effective_discount : ndarray, shape (N, 2)
        :math:`\beta_a = \delta_a (1 - q)`, patience net of the breakdown risk.
    deadline : int or None
        Number of rounds of the finite game; None for the infinite horizon.
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
) -> AlternatingResult:
    """Subgame-perfect agreement of the alternating-offers game with a transfer.

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
    )
