"""Tolerances, defined once: when a float counts as a gain, a zero, or a probability.

Floats are never compared with ``==`` in the solvers; they are compared with one of
these. Every solver result records the tolerance it was computed with.

:data:`UTILITY`
    A gain, margin or surplus (US$ bn, 2003) counts as positive only when it exceeds
    this: one US dollar in a billion, far below any number the scenario files can
    resolve, and far above rounding error for the sums of a few dozen terms of size
    up to 10^6 (the schema's cap on money) in double precision (about 10^-10).
:data:`PROBABILITY`
    A probability at most this is treated as zero (a strategy not played, a deal not
    reached).
"""

from __future__ import annotations

UTILITY = 1e-9
"""US$ bn: a gain must exceed it to count as a gain."""

PROBABILITY = 1e-9
"""A probability at most this counts as zero."""

TOL = UTILITY
"""The default tolerance of the solvers (on utilities)."""
