"""History: predicted vs recorded outcome, episode by episode, on a timeline.

One column per negotiation episode (in time order, evenly spaced so that close years
stay readable, each labelled with its year), a row for the recorded outcome, one row
per solver and a last row for the null model "always the status quo": a filled mark
where the forecast's point prediction is the recorded deal, a cross and the predicted
deal where it is not. The episode that set the preferences is shaded ("calibration")
and counts for no figure. The title compares the solvers' hits with the null's; the
footnote gives each solver's Brier skill against the better null and the share of the
record's stances the model matches. It reads backtest results only.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.charts.labels import deal_label, fit_title, solver_label
from sim.charts.style import OKABE_ITO, SOURCE_NOTE, chart_style, new_figure, titled
from sim.history.backtest import (
    Episode,
    hit_rates,
    null_hits,
    scored_episodes,
    scored_solvers,
    skill,
)
from sim.history.scores import point
from sim.model.deals import split_reneged

HIT, MISS = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]


def _short(deal: str, width: int = 11) -> str:
    base, reneged = split_reneged(deal)
    label = deal_label(base)
    return "\n".join(textwrap.wrap(label, width, break_long_words=False)) + (
        "\n(reneged)" if reneged else ""
    )


def _title(episodes: Sequence[Episode]) -> str:
    counted = scored_episodes(list(episodes))
    rates = hit_rates(counted)
    best = max(h for h, _ in rates.values())
    n = len(counted)
    null = null_hits(counted)["status_quo"][0]
    leaders = [s for s in scored_solvers() if rates[s][0] == best]
    total = len(scored_solvers())
    if len(leaders) == 1:
        who, verb = solver_label(leaders[0]), "matches"
    elif len(leaders) == total:
        who, verb = "Every solver", "matches"
    else:
        who, verb = f"{len(leaders)} of {total} solvers", "match"
    versus = "as many as" if best == null else ("more than" if best > null else "fewer than")
    return fit_title(
        [
            f"{who} {verb} the record in {best} of {n} episodes, {versus} "
            f"'always the status quo' ({null})",
            f"{who} {verb} the record in {best} of {n} episodes; the null: {null}",
        ]
    )


def _footnote(episodes: Sequence[Episode]) -> str:
    found = skill(list(episodes))
    parts = ", ".join(
        f"{solver_label(s)} {'-' if v is None else f'{v:+.2f}'}"
        for s, v in found.brier_skill.items()
    )
    return (
        f"Brier skill against the better null ({found.best_null.replace('_', ' ')}): {parts}. "
        f"The record's reasons: {found.stances_matched} of {found.stances} stances match. "
        "A shaded episode set the preferences and counts for no figure."
    )


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
        fig = fig or new_figure(height=6.0)
        ax = fig.subplots()
        scored = scored_solvers()
        rows = ["recorded", *scored, "null"]
        for x, episode in enumerate(episodes):
            if episode.calibration:
                ax.axvspan(x - 0.5, x + 0.5, color="#eeeeee", zorder=0, gid="calibration")
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
            for y, solver in enumerate(scored, start=1):
                _cell(ax, x, y, episode, solver)
            null = episode.label(point(episode.forecasts["status_quo"]))
            hit = point(episode.forecasts["status_quo"]) == episode.observed_class
            _mark(ax, x, len(scored) + 1, episode.name, "null", null, hit)
        counted = scored_episodes(list(episodes))
        rates = hit_rates(counted)
        nulls = null_hits(counted)["status_quo"]
        labels = [
            "Recorded",
            *(f"{solver_label(s)}\n{rates[s][0]} of {rates[s][1]}" for s in scored),
            f"Null: status quo\n{nulls[0]} of {nulls[1]}",
        ]
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
            textwrap.fill(_footnote(episodes), 125) + "\n" + SOURCE_NOTE,
        )
    return fig


def _year(episode: Episode) -> str:
    return f"{episode.year}\n(calibration)" if episode.calibration else str(episode.year)


def _cell(ax: Axes, x: int, y: int, episode: Episode, solver: str) -> None:
    _mark(ax, x, y, episode.name, solver, episode.predictions[solver], episode.hits[solver])


def _mark(ax: Axes, x: int, y: int, name: str, row: str, predicted: str, hit: bool) -> None:
    if hit:
        ax.plot(
            x,
            y,
            marker="o",
            markersize=11,
            color=HIT,
            markeredgecolor="black",
            gid=f"hit:{name}:{row}",
        )
        return
    ax.plot(
        x,
        y - 0.22,
        marker="X",
        markersize=8,
        color=MISS,
        markeredgecolor="black",
        gid=f"miss:{name}:{row}",
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
