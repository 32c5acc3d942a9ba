"""The briefing pack: every chart in two formats, an A4 PDF, a summary made from results,
its provenance, and reruns that rebuild it without touching anything of the user's."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from pypdf import PdfReader

from sim import UserError, load_scenario
from sim.brief import PERCENT_MEANING, bottom_line, make_brief, summary_sentences
from sim.provenance import Provenance
from sim.shipped import history_dir
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
A4_POINTS = (595.44, 841.68)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("brief") / "pack"
    scenario = load_scenario(BASELINE)
    done = make_brief(
        scenario,
        folder,
        provenance=Provenance.of(scenario, BASELINE),
        history=ROOT / "scenarios" / "history",
        samples=3000,
        workers=1,
    )
    return done.analysis, folder, done.files


def test_every_chart_as_png_and_svg(pack):
    _, folder, written = pack
    for name in CHARTS:
        assert (folder / f"{name}.png").stat().st_size > 10_000
        assert (folder / f"{name}.svg").read_text().lstrip().startswith("<?xml")
    assert not list(folder.glob("*.tmp*"))
    assert not (folder / ".next-pack").exists()


def test_pdf_has_the_summary_then_every_chart_then_the_glossary(pack):
    _, folder, _ = pack
    reader = PdfReader(folder / "brief.pdf")
    text = [page.extract_text() for page in reader.pages]
    first_chart = next(i for i, t in enumerate(text) if "Hold-up rates" in t and "Page " not in t)
    assert first_chart >= 1 and "Bottom line" in text[0]
    assert len(reader.pages) == first_chart + len(CHARTS) + 1
    assert "Glossary" in text[-1]


def test_every_pdf_page_is_a4_and_numbered(pack):
    _, folder, _ = pack
    reader = PdfReader(folder / "brief.pdf")
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4_POINTS, abs=0.5)
        assert f"page {number} of {total}" in page.extract_text()


def test_pdf_metadata_names_the_scenario_and_its_hash(pack):
    analysis, folder, _ = pack
    meta = PdfReader(folder / "brief.pdf").metadata
    assert meta.title == "baseline_2003 (2003): briefing"
    assert analysis.provenance.scenario_sha256 in meta["/Keywords"]
    assert "kurilsim" in meta["/Creator"]


def test_summary_numbers_are_the_results(pack):
    analysis, folder, _ = pack
    text = (folder / "summary.md").read_text()
    deals = analysis.sweep.summary.to_json()["deals"]
    leading = analysis.leading_deal
    rate = analysis.results[f"holds_{leading}"].mean()
    assert deals[leading]["hold_up_rate"] == pytest.approx(rate)
    label = analysis.evaluation.deals.specs[analysis.evaluation.deals.index(leading)].label
    assert f"{label} holds up in {rate:.0%} of {len(analysis.results):,} draws" in text
    top = analysis.sobol.to_df().sort_values("ST", ascending=False).index[0]
    assert "1. " in text and top in text


def test_the_summary_opens_with_the_bottom_line(pack):
    analysis, folder, _ = pack
    text = (folder / "summary.md").read_text()
    sections = re.findall(r"^## (.+)$", text, flags=re.M)
    assert sections[0] == "Bottom line"
    lines = bottom_line(analysis)
    assert len(lines) == 3
    holds = analysis.results[[c for c in analysis.results if c.startswith("holds_")]]
    none = (~holds.any(axis=1)).mean()
    assert f"no deal holds up in {none:.0%} of draws" in lines[1]
    # the assumption it turns on: the top Sobol parameter, its tipping value next to
    # its baseline value, printed as the tipping-point section prints it
    t = analysis.holds_tipping
    assert t is not None and t.path == analysis.sobol.ranked()[0]
    # The action plan needs no vote: the government's threshold, 2 x (0.21 + 0.5) = 1.42.
    assert "baseline US$0.8 bn" in lines[2] and "US$1.42 bn" in lines[2]
    assert PERCENT_MEANING in text


def test_provenance_is_recorded_in_summary_pdf_and_json(pack):
    analysis, folder, _ = pack
    text = (folder / "summary.md").read_text()
    p = analysis.provenance
    assert p.sweep is not None and (p.sweep.method, p.sweep.draws) == ("lhs", 3000)
    for needle in (str(BASELINE), "overrides: none", "3,000 draws", "seed 2003", p.version):
        assert needle in text
    assert p.scenario_sha256[:12] in text and p.created[:10] in text
    first = PdfReader(folder / "brief.pdf").pages[0].extract_text()
    assert p.scenario_sha256[:12] in first


def test_the_pack_holds_its_tables_for_a_spreadsheet(pack):
    analysis, folder, _ = pack
    deals = pd.read_csv(folder / "deals.csv", encoding="utf-8-sig")
    assert list(deals["deal"]) == list(analysis.evaluation.deals.ids)
    rates = pd.read_csv(folder / "hold_up_rates.csv", encoding="utf-8-sig")
    for deal, row in analysis.sweep.summary.to_json()["deals"].items():
        got = rates.loc[rates["deal"] == deal, "hold_up_rate"].item()
        assert got == pytest.approx(row["hold_up_rate"])
    assert (folder / "deals.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel's BOM
    backtest = pd.read_csv(folder / "backtest.csv", encoding="utf-8-sig")
    assert backtest["episode"].nunique() == len(analysis.episodes)


def test_sentences_follow_the_assumptions(tmp_path):
    """Change an assumption and the written summary changes with it."""
    easy = load_scenario(
        BASELINE,
        overrides={"actors.japan.no_progress_cost": "{ value = 0.2, range = [0.2, 0.4] }"},
    )
    analysis = make_brief(easy, tmp_path / "p", samples=500, workers=1, svg=False).analysis
    sentences = summary_sentences(analysis)
    rate = analysis.sweep.summary.deals["shelve"].hold_up_rate
    assert rate > 0.5  # the baseline's range gives about 22%
    assert any(
        f"Shelve + cooperate holds up in {rate:.0%}" in line
        for line in sentences["Which deals hold up"]
    )


def _files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_a_rerun_after_a_change_rebuilds_the_pack(tmp_path):
    """Issue: every rerun after a change failed with a fingerprint mismatch."""
    folder = tmp_path / "brief"
    base = load_scenario(BASELINE)
    first = make_brief(
        base, folder, provenance=Provenance.of(base, BASELINE), samples=400, workers=1, svg=False
    )
    overrides = {"actors.russia.nationalist_cost": 9}
    changed = load_scenario(BASELINE, overrides=overrides)
    second = make_brief(
        changed,
        folder,
        provenance=Provenance.of(changed, BASELINE, overrides),
        samples=400,
        workers=1,
        svg=False,
    )
    assert second.analysis.sweep.chunks_run > 0  # the sweep was run again, not refused
    text = (folder / "summary.md").read_text()
    assert "baseline_2003 with actors.russia.nationalist_cost = 9" in text
    assert "actors.russia.nationalist_cost = 9" in PdfReader(folder / "brief.pdf").metadata.title
    assert first.analysis.provenance.scenario_sha256 != second.analysis.provenance.scenario_sha256
    assert second.analysis.provenance.scenario_sha256[:12] in text


def test_a_rerun_without_a_change_reuses_the_finished_sweep(tmp_path):
    folder = tmp_path / "brief"
    scenario = load_scenario(BASELINE)
    make_brief(scenario, folder, samples=300, workers=1, svg=False)
    again = make_brief(scenario, folder, samples=300, workers=1, svg=False)
    assert again.analysis.sweep.chunks_run == 0


def test_a_pack_never_mixes_two_runs(tmp_path):
    """Files of the first pack that the second does not write are removed (they were ours)."""
    folder = tmp_path / "brief"
    scenario = load_scenario(BASELINE)
    make_brief(scenario, folder, samples=300, workers=1, history=history_dir())
    assert (folder / "history.png").exists() and (folder / "tornado.svg").exists()
    make_brief(scenario, folder, samples=300, workers=1, svg=False)
    names = {p.name for p in folder.iterdir()}
    assert "history.png" not in names and "backtest.csv" not in names
    assert not any(n.endswith(".svg") for n in names)


def test_the_users_files_in_the_pack_folder_are_kept(tmp_path):
    folder = tmp_path / "brief"
    scenario = load_scenario(BASELINE)
    make_brief(scenario, folder, samples=300, workers=1, svg=False)
    (folder / "notes.txt").write_text("my notes")
    (folder / "summary.md").write_text("edited by hand")
    with pytest.raises(UserError, match="summary.md.*changed since kurilsim wrote it"):
        make_brief(scenario, folder, samples=300, workers=1, svg=False)
    assert (folder / "summary.md").read_text() == "edited by hand"
    (folder / "summary.md").unlink()
    make_brief(scenario, folder, samples=300, workers=1, svg=False)
    assert (folder / "notes.txt").read_text() == "my notes"


def test_a_folder_that_is_not_a_pack_is_refused(tmp_path):
    (tmp_path / "report.docx").write_text("the user's")
    with pytest.raises(UserError, match="not empty and kurilsim did not make it"):
        make_brief(load_scenario(BASELINE), tmp_path, samples=300, workers=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx"]


def test_record_lists_every_file_the_pack_wrote(pack):
    _, folder, written = pack
    record = json.loads((folder / ".kurilsim-files.json").read_text())
    assert {p.name for p in written} <= set(record["files"])


def test_the_summary_lists_each_charts_page_in_the_pdf(pack):
    _, folder, _ = pack
    pages = [page.extract_text() for page in PdfReader(folder / "brief.pdf").pages]
    summary = "\n".join(t for t in pages if t.splitlines()[0].startswith("Summary"))
    listed = dict(
        (title.strip(), int(n)) for n, title in re.findall(r"Page (\d+): ([^\n]+)", summary)
    )
    assert len(listed) == len(CHARTS)
    for title, number in listed.items():
        assert title in pages[number - 1] and f"page {number} of" in pages[number - 1]
        assert not any(title in p for i, p in enumerate(pages) if i > 1 and i != number - 1)


def test_a_sweep_of_one_assumption_makes_a_pack_without_the_two_axis_map(tmp_path):
    one = load_scenario(
        BASELINE,
        overrides={"sweep.parameters": {"actors.japan.no_progress_cost": {"range": [0.2, 3.0]}}},
    )
    done = make_brief(one, tmp_path / "p", samples=200, workers=1, svg=False)
    names = {p.name for p in done.files}
    assert "stability_map.png" not in names and "tornado.png" in names
    assert done.analysis.holds_tipping is not None


def test_a_full_disk_while_writing_the_pack_is_a_clear_error(tmp_path, monkeypatch):
    import errno
    import pathlib

    folder = tmp_path / "brief"
    scenario = load_scenario(BASELINE)
    make_brief(scenario, folder, samples=300, workers=1, svg=False)
    before = _files(folder)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pathlib.Path, "write_bytes", full)  # the charts' files
    with pytest.raises(UserError, match="disk is full"):
        make_brief(scenario, folder, samples=300, workers=1, svg=False)
    after = _files(folder)
    record = json.loads(after.pop(".kurilsim-files.json"))
    before.pop(".kurilsim-files.json")
    assert after == before  # the previous pack is untouched
    assert not (folder / ".next-pack").exists() and ".next-pack/" not in record["files"]
