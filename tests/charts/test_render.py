"""Rendering charts once for every format, in worker processes or here."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from sim.charts.render import Chart, render, render_all
from sim.charts.style import chart_style


def _figure() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(5, 3), layout="constrained")
    ax.plot([0, 1, 2], [2, 0, 1], label="a line")
    ax.set_title("A title long enough to widen the tight box")
    ax.set_ylabel("US$ bn")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))  # outside the axes
    return fig


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def test_the_png_is_the_image_a_plain_savefig_gives():
    with chart_style():
        plain = io.BytesIO()
        _figure().savefig(plain, format="png", dpi=80)
        files = render(_figure(), ("png", "svg", "pdf"), dpi=80)
    assert np.array_equal(_pixels(files["png"]), _pixels(plain.getvalue()))
    assert files["svg"].lstrip().startswith(b"<?xml") and b"<svg" in files["svg"]
    assert PdfReader(io.BytesIO(files["pdf"])).pages[0] is not None


def test_a_page_keeps_its_own_size():
    with chart_style():
        fig = plt.figure(figsize=(8.27, 11.69))
        fig.text(0.1, 0.9, "a page")
        files = render(fig, ("pdf",), dpi=80, page=True)
    box = PdfReader(io.BytesIO(files["pdf"])).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((8.27 * 72, 11.69 * 72))


def test_unknown_formats_are_refused():
    with pytest.raises(ValueError, match="unknown chart formats"):
        render(_figure(), ("png", "gif"), dpi=80)


def test_workers_give_the_same_files_in_the_same_order():
    charts = [Chart(f"c{i}", f"Chart {i}", _figure) for i in range(3)]
    serial = render_all(charts, ("png",), dpi=60, workers=1)
    parallel = render_all(charts, ("png",), dpi=60, workers=2)
    assert [r.name for r in parallel] == ["c0", "c1", "c2"]
    for one, other in zip(serial, parallel, strict=True):
        assert np.array_equal(_pixels(one.files["png"]), _pixels(other.files["png"]))
