"""History: predicted vs recorded outcome, episode by episode, on a timeline.

One column per negotiation episode (in time order, evenly spaced so that close years
stay readable, each labelled with its year), a row for the recorded outcome and one
row per solver: a filled mark where the solver predicted the recorded deal, a cross and
the predicted deal where it did not. It reads backtest results only.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.charts.labels import deal_label
from sim.charts.style import OKABE_ITO, chart_style, new_figure, titled
from sim.history.backtest import SOLVERS, Episode, hit_rates

ROW_NAMES: dict[str, str] = {
    "cooperative": "Nash bargaining",
    "posture": "Posture game",
    "sequential": "Sequential game",
    "alternating": "Alternating offers",
}
HIT, MISS = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]


def _short(deal: str, width: int = 11) -> str:
    label = deal_label(deal.removesuffix(" reneged"))
    return "\n".join(textwrap.wrap(label, width, break_long_words=False)) + (
        "\n(reneged)" if deal.endswith(" reneged") else ""
    )


def _title(episodes: Sequence[Episode]) -> str:
    rates = hit_rates(list(episodes))
    best = max(h for h, _ in rates.values())
    n = len(episodes)
    leaders = [s for s in SOLVERS if rates[s][0] == best]
    if len(leaders) == 1:
        return f"{ROW_NAMES[leaders[0]]} matches the record in {best} of {n} episodes"
    return f"{len(leaders)} of {len(SOLVERS)} solvers match the record in {best} of {n} episodes"


def history_timeline(episodes: Sequence[Episode], *, fig: Figure | None = None) -> Figure:
    """Recorded outcome and each solver's prediction for every episode.

    Parameters
    ----------
    episodes : sequence of Episode
        From :func:`sim.history.backtest.backtest`, in time order.
    fig : Figure, optional

    Returns
    -------
    Figure
    """
    if not episodes:
        raise ValueError("no episodes to draw")
    with chart_style():
        fig = fig or new_figure(height=5.2)
        ax = fig.subplots()
        rows = ["recorded", *SOLVERS]
        for x, episode in enumerate(episodes):
            ax.text(
                x,
                0.2 if x % 2 else -0.2,  # staggered, so that neighbours never touch
                _short(episode.observed, 10),
                ha="center",
                va="center",
                fontsize=7,
                fontweight="bold",
                gid=f"recorded:{episode.name}",
            )
            for y, solver in enumerate(SOLVERS, start=1):
                _cell(ax, x, y, episode, solver)
        rates = hit_rates(list(episodes))
        labels = ["Recorded"] + [f"{ROW_NAMES[s]}\n{rates[s][0]} of {rates[s][1]}" for s in SOLVERS]
        ax.set_yticks(range(len(rows)), labels)
        ax.set_xticks(range(len(episodes)), [_year(e) for e in episodes])
        ax.set_xlim(-0.6, len(episodes) - 0.4)
        ax.set_ylim(len(rows) - 0.5, -0.6)
        ax.grid(False)
        ax.tick_params(axis="x", labelsize=8)
        ax.set_xlabel("Episode (year of the talks)")
        for y in range(len(rows) - 1):
            ax.axhline(y + 0.5, color="#dddddd", linewidth=0.8)
        ax.legend(
            handles=_legend(),
            loc="upper center",
            bbox_to_anchor=(0.5, -0.16),
            ncol=2,
            frameon=False,
        )
        titled(
            fig,
            _title(episodes),
            f"History scenarios {episodes[0].year}-{episodes[-1].year} · one scenario per "
            "episode; preferences fixed, context from the record",
        )
    return fig


def _year(episode: Episode) -> str:
    return str(episode.year)


def _cell(ax: Axes, x: int, y: int, episode: Episode, solver: str) -> None:
    predicted = episode.predictions[solver]
    if episode.hits[solver]:
        ax.plot(
            x,
            y,
            marker="o",
            markersize=11,
            color=HIT,
            markeredgecolor="black",
            gid=f"hit:{episode.name}:{solver}",
        )
        return
    ax.plot(
        x,
        y - 0.22,
        marker="X",
        markersize=8,
        color=MISS,
        markeredgecolor="black",
        gid=f"miss:{episode.name}:{solver}",
    )
    ax.text(
        x,
        y + 0.12,
        _short(predicted, 10),
        ha="center",
        va="center",
        fontsize=6,
        color="#333333",
    )


def _legend() -> list[Line2D]:
    return [
        Line2D(
            [],
            [],
            marker="o",
            markersize=9,
            color=HIT,
            markeredgecolor="black",
            linestyle="none",
            label="prediction matches the record",
        ),
        Line2D(
            [],
            [],
            marker="X",
            markersize=8,
            color=MISS,
            markeredgecolor="black",
            linestyle="none",
            label="miss (the deal the solver predicted below)",
        ),
    ]
