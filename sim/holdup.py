"""Whether a deal holds up, defined once: for ``kurilsim run``, sweeps, charts and the brief.

A deal **holds up** in a draw when both governments prefer it to the status quo, both
ratifiers accept it (when it needs ratification: a deal with ``ratification = false``
gives them no veto), and the side that must perform later gains nothing by reneging (DESIGN:
"what holds up under the brief's assumptions"). Otherwise it fails for every reason
in :class:`FailReason` that applies; the *first* reason is the first in the order
they are checked — the governments, then the ratifiers, then reneging — which is the
reason charts and summaries count.

:func:`hold_up` returns a :class:`HoldUp` for every draw and deal of an evaluation:
whether it holds, every reason it fails, the first one, and its *margin* — the
smallest of its four acceptance margins over the status quo (US$ bn; positive when
every side accepts), a continuous outcome for sensitivity analysis.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from sim.tolerance import TOL

if TYPE_CHECKING:
    from sim.evaluate import Evaluation


class FailReason(enum.StrEnum):
    """Why a deal does not hold up, in the order the reasons are checked."""

    JAPAN_GOVERNMENT = "japan_government"
    RUSSIA_GOVERNMENT = "russia_government"
    JAPAN_RATIFIER = "japan_ratifier"
    RUSSIA_RATIFIER = "russia_ratifier"
    RENEGING = "reneging"

    @property
    def label(self) -> str:
        """Who or what kills the deal, in words: ``"Japan's ratifier"``, ``"Reneging"``."""
        return _LABELS[self]

    @property
    def who(self) -> str:
        """The same inside a sentence: ``"Japan's ratifier"``, ``"reneging"``."""
        return _LABELS[self] if self is not FailReason.RENEGING else "reneging"


_LABELS = {
    FailReason.JAPAN_GOVERNMENT: "Japan's government",
    FailReason.RUSSIA_GOVERNMENT: "Russia's government",
    FailReason.JAPAN_RATIFIER: "Japan's ratifier",
    FailReason.RUSSIA_RATIFIER: "Russia's ratifier",
    FailReason.RENEGING: "Reneging",
}

REASONS: tuple[FailReason, ...] = tuple(FailReason)
"""Every reason, in checking order."""


@dataclass(frozen=True)
class HoldUp:
    """The hold-up test of every deal in every draw.

    Attributes
    ----------
    deal_ids : tuple of str, length D
        The menu the arrays index (status quo first; it never "holds up").
    failed : ndarray of bool, shape (N, D, 5)
        Every reason of :data:`REASONS` the deal fails for.
    margins : ndarray, shape (N, D, 4)
        Gains over the status quo of Japan's and Russia's governments, then of their
        ratifiers.
    tol : float
        Tolerance on utilities.
    """

    deal_ids: tuple[str, ...]
    failed: NDArray[np.bool_]
    margins: NDArray[np.float64]
    tol: float = TOL

    @property
    def holds(self) -> NDArray[np.bool_]:
        """Whether each deal holds up, shape (N, D) (False for the status quo)."""
        out = np.array(~self.failed.any(axis=-1), dtype=bool)
        out[:, 0] = False
        return out

    @property
    def first(self) -> NDArray[np.intp]:
        """Index in :data:`REASONS` of the first reason, ``len(REASONS)`` when it holds."""
        return np.where(self.failed.any(axis=-1), self.failed.argmax(axis=-1), len(REASONS)).astype(
            np.intp
        )

    @property
    def margin(self) -> NDArray[np.float64]:
        """The smallest acceptance margin of each deal, shape (N, D)."""
        return np.asarray(self.margins.min(axis=-1))

    def reasons(self, draw: int, deal: int) -> list[FailReason]:
        """Every reason ``deal`` fails for in ``draw``, in checking order."""
        return [r for r, bad in zip(REASONS, self.failed[draw, deal], strict=True) if bad]


def hold_up(ev: Evaluation) -> HoldUp:
    """The hold-up test of every deal of ``ev``'s menu in every draw."""
    coop = ev.cooperative
    utility, ratifier = ev.payoffs.utility, ev.payoffs.ratifier_utility
    margins = np.concatenate([utility - utility[:, :1], ratifier - ratifier[:, :1]], axis=-1)
    vote = ev.deals.ratification > 0  # a deal that needs no vote has no ratifier veto
    failed = np.concatenate(
        [~coop.rational, ~coop.ratifiable & vote[:, None], would_renege(ev)[:, :, None]], axis=-1
    )
    return HoldUp(ev.deals.ids, failed, margins)


def would_renege(ev: Evaluation) -> NDArray[np.bool_]:
    """Draws × deals where the side that performs later gains by reneging, ``(N, D)``."""
    _, gain = ev.renege_gain()
    return np.asarray(gain > TOL)
