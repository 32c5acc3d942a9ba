r"""Scoring forecasts of a recorded outcome: hits, the Brier and log scores, skill, nulls.

A *forecast* is a probability for each outcome (a mapping from an outcome's key to a
probability; outcomes not named have probability 0). The recorded outcome is ``o``.

Multi-class Brier score (Brier 1950)
    :math:`BS = \sum_k (p_k - [k = o])^2`, from 0 (all the probability on the record) to 2
    (all of it on one other outcome). Lower is better.
Log score (Good 1952)
    :math:`LS = -\ln \max(p_o, \varepsilon)` with the floor :data:`EPSILON`, so that one
    episode where a forecast gave the record no probability at all costs
    :math:`-\ln \varepsilon \approx 4.6` rather than infinity. Lower is better.
Brier skill score
    :math:`BSS = 1 - \overline{BS} / \overline{BS}_{null}` against the best *null model*
    (the one with the lower mean Brier score): positive when the solver forecasts better
    than the null, 0 when as well, negative when worse.

Null models
    *Status quo*: all the probability on "nothing changes hands". *Base rate*
    (leave-one-out): the frequency of each recorded outcome over the *other* episodes —
    what someone who knew only the record, and not the model, would forecast.

References
----------
Brier, G. W. (1950). Verification of forecasts expressed in terms of probability.
*Monthly Weather Review* 78(1), 1-3.
Good, I. J. (1952). Rational decisions. *Journal of the Royal Statistical Society B*
14(1), 107-114.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

EPSILON = 0.01
"""Floor of the probability in the log score. A forecast drawn from 2,000 draws cannot
claim much below a few in a thousand for an outcome it never saw; 0.01 keeps one such
episode from outweighing the others (its cost is capped at -ln 0.01 = 4.6)."""

Forecast = Mapping[str, float]


def brier(forecast: Forecast, observed: str) -> float:
    """Multi-class Brier score of ``forecast`` when ``observed`` happened.

    Examples
    --------
    >>> brier({"a": 0.5, "b": 0.3, "c": 0.2}, "a")  # 0.25 + 0.09 + 0.04
    0.38
    """
    keys = set(forecast) | {observed}
    return round(sum((forecast.get(k, 0.0) - (k == observed)) ** 2 for k in keys), 12)


def log_score(forecast: Forecast, observed: str, epsilon: float = EPSILON) -> float:
    """Log score ``-ln max(p_observed, epsilon)``.

    Examples
    --------
    >>> round(log_score({"a": 0.5, "b": 0.5}, "a"), 4), round(log_score({"a": 1.0}, "b"), 4)
    (0.6931, 4.6052)
    """
    return -math.log(max(forecast.get(observed, 0.0), epsilon))


def point(forecast: Forecast) -> str:
    """The most probable outcome (the first named on a tie)."""
    return max(forecast, key=lambda k: forecast[k])


def status_quo_null(status_quo: str) -> dict[str, float]:
    """The null model "nothing changes": all the probability on the status quo."""
    return {status_quo: 1.0}


def base_rate_null(
    records: Sequence[str], leave_out: int, order: Sequence[str] = ()
) -> dict[str, float]:
    """Frequency of each recorded outcome over the other episodes (leave-one-out).

    ``order`` lists outcomes to put first when two are equally frequent (the status quo).

    Examples
    --------
    >>> base_rate_null(["sq", "sq", "aid", "sq"], leave_out=2)
    {'sq': 1.0}
    >>> base_rate_null(["sq", "sq", "aid", "sq"], leave_out=0)
    {'sq': 0.6666666666666666, 'aid': 0.3333333333333333}
    """
    others = [r for i, r in enumerate(records) if i != leave_out]
    if not others:
        return {}
    counts = Counter(others)
    ranked = sorted(
        counts, key=lambda k: (-counts[k], order.index(k) if k in order else len(order))
    )
    return {k: counts[k] / len(others) for k in ranked}


def skill(score: float, null_score: float) -> float | None:
    """Skill ``1 - score / null_score``; None when the null is perfect (``null_score == 0``)."""
    if null_score <= 0:
        return None
    return 1.0 - score / null_score
