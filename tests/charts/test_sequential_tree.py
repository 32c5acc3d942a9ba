"""The sequential-game tree: one row per deal, ending where the result says it dies."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim import evaluate, load_scenario
from sim.charts.sequential_tree import STAGE_X, sequential_tree
from sim.evaluate import Evaluation
from sim.solvers.sequential import Stage
from tests.conftest import BASELINE, ROOT

KRASNOYARSK = ROOT / "scenarios" / "history" / "1997_krasnoyarsk.toml"
CASES = {
    "baseline": (BASELINE, None),
    "krasnoyarsk": (KRASNOYARSK, None),
    "no_ratification": (BASELINE, {"sequential.ratification": "false"}),
}


@pytest.fixture(scope="module")
def evaluations() -> dict[str, Evaluation]:
    return {name: evaluate(load_scenario(path, overrides=ov)) for name, (path, ov) in CASES.items()}


@pytest.fixture(scope="module")
def drawn(evaluations: dict[str, Evaluation]) -> dict[tuple[str, str], Figure]:
    """Each scenario drawn with each proposer, rendered once."""
    figures = {}
    for name, proposer in itertools.product(CASES, ("japan", "russia")):
        fig = sequential_tree(evaluations[name], proposer=proposer)
        FigureCanvasAgg(fig).draw()
        figures[name, proposer] = fig
    return figures


CASE_KEYS = list(itertools.product(CASES, ("japan", "russia")))


def _lines(fig: Figure, prefix: str) -> dict[str, Line2D]:
    ax = fig.axes[0]
    return {
        str(line.get_gid()): line
        for line in ax.get_lines()
        if (line.get_gid() or "").startswith(prefix)
    }


def test_returns_a_figure_with_title_naming_the_scenario(drawn, evaluations):
    fig = drawn["baseline", "japan"]
    assert isinstance(fig, Figure)
    title = fig.get_suptitle().strip()
    assert title.startswith("Japan offers Shelve + cooperate")
    texts = [t.get_text() for t in fig.texts]
    assert any("baseline_2003 (2003)" in t and "Japan proposes" in t for t in texts)
    assert any("Source" in t for t in texts)
    krasnoyarsk = drawn["krasnoyarsk", "japan"]
    # 1997: the action plan needs no vote, so Japan's ratifier cannot stop it.
    assert krasnoyarsk.get_suptitle().startswith("Japan offers Shelve + cooperate")
    assert any("1997" in t.get_text() for t in krasnoyarsk.texts)


@pytest.mark.parametrize("key", CASE_KEYS, ids=["-".join(k) for k in CASE_KEYS])
def test_one_row_per_deal_of_the_menu(drawn, evaluations, key):
    ids = evaluations[key[0]].sequential_game.deals.ids
    assert sorted(_lines(drawn[key], "row:")) == sorted(f"row:{d}" for d in ids)


@pytest.mark.parametrize("key", CASE_KEYS, ids=["-".join(k) for k in CASE_KEYS])
def test_each_row_ends_at_the_stage_that_kills_it(drawn, evaluations, key):
    result = evaluations[key[0]]
    spe = result.sequential(key[1])
    ends = _lines(drawn[key], "end:")
    rows = _lines(drawn[key], "row:")
    assert len(ends) == len(result.sequential_game.deals.ids)
    for d, deal in enumerate(result.sequential_game.deals.ids):
        stage = Stage(int(spe.stage[0, d]))
        mark = ends[f"end:{deal}:{stage.name}"]
        row_y = rows[f"row:{deal}"].get_ydata()[-1]
        assert mark.get_xdata()[0] == pytest.approx(STAGE_X[stage])
        assert mark.get_ydata()[0] == pytest.approx(row_y)
        assert rows[f"row:{deal}"].get_xdata()[-1] == pytest.approx(STAGE_X[stage])


def test_stage_columns_follow_the_order_of_play():
    order = [Stage.RESPONDER, Stage.JAPAN_RATIFIER, Stage.RUSSIA_RATIFIER, Stage.RENEGED]
    xs = [STAGE_X[s] for s in order]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert STAGE_X[Stage.HOLDS] > STAGE_X[Stage.RENEGED]


@pytest.mark.parametrize("key", CASE_KEYS, ids=["-".join(k) for k in CASE_KEYS])
def test_spe_path_is_highlighted_on_the_offered_row(drawn, evaluations, key):
    result = evaluations[key[0]]
    spe = result.sequential(key[1])
    offered = result.sequential_game.deals.ids[int(spe.offer[0])]
    fig = drawn[key]
    paths = _lines(fig, "spe-path")
    assert list(paths) == ["spe-path"]
    path, row = paths["spe-path"], _lines(fig, "row:")[f"row:{offered}"]
    assert path.get_ydata()[-1] == pytest.approx(row.get_ydata()[-1])
    assert path.get_xdata()[-1] == pytest.approx(row.get_xdata()[-1])
    assert path.get_linewidth() > 2 * row.get_linewidth()
    labels = [t for t in fig.axes[0].texts if t.get_gid() == "spe-label"]
    assert [t.get_text() for t in labels] == ["SPE path"]


def test_rows_dying_for_an_anticipated_renege_say_so(drawn, evaluations):
    spe = evaluations["baseline"].sequential("japan")
    ids = evaluations["baseline"].sequential_game.deals.ids
    phased = ids.index("four_phased")
    assert spe.anticipated_renege[0, phased]
    # Reneging at the handover does not undo the cession's cost paid at signing, so
    # Russia's government, the responder, turns the deal down first.
    assert Stage(int(spe.stage[0, phased])) == Stage.RESPONDER
    margin = spe.margin[0, phased]
    texts = [t.get_text() for t in drawn["baseline", "japan"].axes[0].texts]
    assert sum("Russia would renege" in t for t in texts) == int(spe.anticipated_renege[0].sum())
    assert margin <= -1  # shown with one decimal
    assert any(f"Russia's government rejects (\u2212{-margin:.1f})" in t for t in texts)


@pytest.mark.parametrize("key", CASE_KEYS, ids=["-".join(k) for k in CASE_KEYS])
def test_nothing_overlaps_and_it_fits_a4_width(drawn, key):
    fig = drawn[key]
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]
    boxes.append(("legend", ax.get_legend().get_window_extent(renderer)))
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"
    assert fig.get_tightbbox(renderer).width <= fig.get_figwidth() + 0.05


def test_saves_as_png(evaluations, tmp_path: Path):
    path = tmp_path / "tree.png"
    sequential_tree(evaluations["krasnoyarsk"]).savefig(path, dpi=80)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_draws_into_a_given_figure_and_rejects_a_missing_draw(evaluations):
    fig = Figure()
    assert sequential_tree(evaluations["baseline"], fig=fig) is fig
    with pytest.raises(IndexError):
        sequential_tree(evaluations["baseline"], draw=1)
