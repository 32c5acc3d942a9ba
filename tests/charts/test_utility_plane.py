"""The utility plane: one labelled point per deal, solutions where the result puts them."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from sim import Evaluation, evaluate, load_scenario  # noqa: E402
from sim.charts.style import new_figure  # noqa: E402
from sim.charts.utility_plane import solution_label, solution_points, utility_plane  # noqa: E402
from tests.conftest import BASELINE  # noqa: E402

LOTTERIES = {
    "cooperative.require_ratification": "false",
    "actors.japan.renunciation_cost": "{ value = 3, range = [1, 40] }",
}


@pytest.fixture(scope="module")
def baseline() -> Evaluation:
    return evaluate(load_scenario(BASELINE))


@pytest.fixture(scope="module")
def lotteries() -> Evaluation:
    return evaluate(load_scenario(BASELINE, overrides=LOTTERIES))


@pytest.fixture(scope="module")
def baseline_figure(baseline: Evaluation) -> Figure:
    return utility_plane(baseline)


@pytest.fixture(scope="module")
def lottery_figure(lotteries: Evaluation) -> Figure:
    return utility_plane(lotteries)


def lines_with(fig: Figure, prefix: str) -> dict[str, list[Line2D]]:
    """Lines whose gid starts with ``prefix``, by the rest of the gid, over all axes."""
    found: dict[str, list[Line2D]] = {}
    for ax in fig.axes:
        for line in ax.get_lines():
            gid = line.get_gid() or ""
            if gid.startswith(prefix):
                found.setdefault(gid.removeprefix(prefix), []).append(line)
    return found


def all_text(fig: Figure) -> str:
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def test_returns_a_titled_figure(baseline: Evaluation, baseline_figure: Figure) -> None:
    assert isinstance(baseline_figure, Figure)
    title = baseline_figure.get_suptitle()
    assert "Only ‘Shelve + cooperate’ beats the status quo for both sides" in title
    texts = [t.get_text() for t in baseline_figure.texts]
    info = baseline.scenario.scenario
    assert any(info.name in t and str(info.year) in t for t in texts)
    assert any(t.startswith("Source") for t in texts)


def test_title_names_every_deal_both_sides_accept(lottery_figure: Figure) -> None:
    title = lottery_figure.get_suptitle()
    assert "Shelve + cooperate" in title and "Two islands" in title


def test_axes_are_labelled(baseline_figure: Figure) -> None:
    main = baseline_figure.axes[0]
    assert "Japan" in main.get_xlabel() and "US$ bn" in main.get_xlabel()
    assert "Russia" in main.get_ylabel() and "US$ bn" in main.get_ylabel()


def test_every_deal_is_plotted_at_its_utilities(
    baseline: Evaluation, baseline_figure: Figure
) -> None:
    deals = lines_with(baseline_figure, "deal:")
    assert sorted(deals) == sorted(baseline.deals.ids)
    utility = baseline.payoffs.utility[0]
    for d, deal_id in enumerate(baseline.deals.ids):
        (line,) = deals[deal_id]
        assert np.allclose(np.column_stack(line.get_data()), [utility[d]])


def test_status_quo_is_marked_distinctly(baseline_figure: Figure) -> None:
    deals = lines_with(baseline_figure, "deal:")
    status_quo = deals.pop("status_quo")[0]
    assert all(line[0].get_marker() != status_quo.get_marker() for line in deals.values())


def test_ratifiable_deals_are_filled_and_the_rest_hollow(
    baseline: Evaluation, baseline_figure: Figure
) -> None:
    deals = lines_with(baseline_figure, "deal:")
    passes = baseline.cooperative.ratifiable[0].all(axis=1)
    for d, deal_id in enumerate(baseline.deals.ids[1:], start=1):
        filled = deals[deal_id][0].get_markerfacecolor() != "white"
        assert filled == bool(passes[d]), deal_id


def test_every_deal_is_labelled_once_without_overlaps(
    lotteries: Evaluation, lottery_figure: Figure, tmp_path: Path
) -> None:
    lottery_figure.savefig(tmp_path / "plane.png", dpi=80)  # final layout
    main = lottery_figure.axes[0]
    labels = [t for t in main.texts if t.get_gid() == "deal_label"]
    assert sorted(t.get_text() for t in labels) == sorted(s.label for s in lotteries.deals.specs)
    for ax in lottery_figure.axes:
        boxes = [t.get_window_extent() for t in ax.texts if t.get_gid() == "deal_label"]
        for first, second in combinations(boxes, 2):
            assert not first.overlaps(second)


def test_coinciding_solutions_share_one_marker(baseline_figure: Figure) -> None:
    (names,) = lines_with(baseline_figure, "solution:")
    assert set(names.split(",")) >= {"nash", "kalai_smorodinsky", "egalitarian", "utilitarian"}


def test_lotteries_are_drawn_at_their_expected_point(
    lotteries: Evaluation, lottery_figure: Figure
) -> None:
    drawn = lines_with(lottery_figure, "solution:")
    utility = lotteries.payoffs.utility[0]
    checked = 0
    for name, solution in lotteries.cooperative.solutions.items():
        key = next(k for k in drawn if name in k.split(","))
        expected = utility[0] + solution.gain[0]
        for line in drawn[key]:
            assert np.allclose(np.column_stack(line.get_data()), [expected])
        checked += bool(solution.is_lottery[0])
    assert checked >= 3  # the scenario has lotteries to check


def test_legend_explains_symbols_and_solutions(lottery_figure: Figure) -> None:
    text = all_text(lottery_figure)
    for entry in ("Status quo (no deal)", "passes both ratifiers", "Pareto frontier"):
        assert entry in text
    assert "Nash with lotteries" in text and "Two\u00a0islands" in text


def test_frontier_runs_through_the_pareto_deals(
    baseline: Evaluation, baseline_figure: Figure
) -> None:
    (frontier,) = [
        line for line in baseline_figure.axes[0].get_lines() if line.get_gid() == "pareto_frontier"
    ]
    pareto = baseline.payoffs.utility[0][baseline.cooperative.pareto[0]]
    drawn = np.column_stack(frontier.get_data())
    assert sorted(map(tuple, drawn.round(9))) == sorted(map(tuple, pareto.round(9)))


def test_draws_on_given_axes(baseline: Evaluation) -> None:
    fig = new_figure()
    ax: Axes = fig.add_subplot()
    assert utility_plane(baseline, ax=ax) is fig
    assert ax.get_title(loc="left").startswith("Only")
    assert len(lines_with(fig, "deal:")) == len(baseline.deals)


def test_saves_to_png(baseline_figure: Figure, tmp_path: Path) -> None:
    path = tmp_path / "plane.png"
    baseline_figure.savefig(path, dpi=60)
    assert path.stat().st_size > 10_000


def test_solution_points_group_coinciding_solutions(lotteries: Evaluation) -> None:
    points = solution_points(lotteries)
    names = [name for point in points for name in point.names]
    assert sorted(names) == sorted(lotteries.cooperative.solutions)
    assert len({tuple(p.point.round(9)) for p in points}) == len(points)


def test_solution_label_marks_versions_that_part() -> None:
    assert solution_label(["nash", "nash_lottery"]) == "Nash"
    assert solution_label(["egalitarian_lottery"]) == "Egalitarian with lotteries"
    assert solution_label(["nash", "utilitarian"]) == "Nash, utilitarian (best single deal)"
