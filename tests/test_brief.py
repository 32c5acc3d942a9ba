"""The briefing pack: every chart in two formats, a PDF, and a summary made from results."""

from __future__ import annotations

import re

import pytest

from sim import load_scenario
from sim.brief import analyse, summary_sentences, write_pack
from tests.conftest import BASELINE, ROOT

CHARTS = (
    "holdup_rates",
    "utility_plane",
    "components",
    "island_map",
    "stability_map",
    "sequential_tree",
    "sensitivity",
    "tornado",
    "history",
)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("brief")
    analysis = analyse(load_scenario(BASELINE), folder, samples=3000, workers=1)
    return analysis, folder, write_pack(analysis, folder, ROOT / "scenarios" / "history")


def test_every_chart_as_png_and_svg(pack):
    _, folder, written = pack
    for name in CHARTS:
        assert (folder / f"{name}.png").stat().st_size > 10_000
        assert (folder / f"{name}.svg").read_text().lstrip().startswith("<?xml")
    assert not list(folder.glob("*.tmp*"))


def test_pdf_has_the_summary_then_every_chart(pack):
    _, folder, _ = pack
    data = (folder / "brief.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages == 1 + len(CHARTS)


def test_summary_numbers_are_the_results(pack):
    analysis, folder, _ = pack
    text = (folder / "summary.md").read_text()
    deals = analysis.sweep.summary["deals"]
    leading = analysis.leading_deal
    rate = analysis.results[f"holds_{leading}"].mean()
    assert deals[leading]["hold_up_rate"] == pytest.approx(rate)
    assert f"{leading} holds up in {rate:.0%} of {len(analysis.results):,} draws" in text
    top = analysis.sobol.to_df().sort_values("ST", ascending=False).index[0]
    assert "1. " in text and top in text


def test_sentences_follow_the_assumptions(tmp_path):
    """Change an assumption and the written summary changes with it."""
    easy = load_scenario(
        BASELINE,
        overrides={"actors.japan.no_progress_cost": "{ value = 0.2, range = [0.2, 0.4] }"},
    )
    analysis = analyse(easy, tmp_path, samples=500, workers=1)
    sentences = summary_sentences(analysis)
    rate = analysis.sweep.summary["deals"]["shelve"]["hold_up_rate"]
    assert rate > 0.5  # the baseline's range gives about 22%
    assert any(
        f"shelve holds up in {rate:.0%}" in line for line in sentences["Which deals hold up"]
    )
