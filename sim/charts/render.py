"""Render charts into files: each figure laid out once, several at a time.

A briefing pack saves every chart as PNG, as SVG and as the PDF page of ``brief.pdf``.
Saved one format after the other, matplotlib lays a figure out and measures its tight
bounding box again for every file; :func:`render` does both once (at the PNG's
resolution, so the PNG is the pixel-for-pixel image a plain ``savefig`` gives), then
writes each format with that layout and box.

:func:`render_all` renders a list of charts, in worker processes when more than one
is allowed and the platform can ``fork`` (each worker builds its charts from the
parent's memory: nothing is pickled but the finished files), and in this process
otherwise. The files are the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from matplotlib.figure import Figure

KINDS = ("png", "svg", "pdf")
"""The formats :func:`render` writes."""


@dataclass(frozen=True)
class Chart:
    """A chart to render: its file name (no suffix), its title and how to draw it."""

    name: str
    title: str
    build: Callable[[], Figure] = field(repr=False)
    """Draws the figure; called inside :func:`sim.charts.style.chart_style`."""
    page: bool = False
    """A whole page of a PDF document: rendered as PDF only, at the figure's own size."""


@dataclass(frozen=True)
class Rendered:
    """A rendered chart: its name, title and the bytes of each file, by format."""

    name: str
    title: str
    files: Mapping[str, bytes] = field(repr=False)


def render(
    fig: Figure, kinds: Sequence[str], *, dpi: float, page: bool = False
) -> dict[str, bytes]:
    """The bytes of ``fig`` saved in each of ``kinds`` (``"png"``, ``"svg"``, ``"pdf"``).

    The layout and the tight bounding box are computed once, at ``dpi``; the PNG is
    written at ``dpi``, the vector formats at their own resolution. ``page``: save the
    whole figure at its own size (no tight box).
    """
    import io

    from sim.charts.style import save_chart

    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown chart formats {unknown}; expected some of {KINDS}")
    box = fig.bbox_inches if page else _laid_out(fig, dpi)
    files = {}
    for kind in kinds:
        buffer = io.BytesIO()
        save_chart(fig, buffer, dpi=dpi if kind == "png" else None, suffix=kind, bbox=box)
        files[kind] = buffer.getvalue()
    return files


def _laid_out(fig: Figure, dpi: float) -> Any:
    """Lay ``fig`` out at ``dpi``, fix that layout and return its padded tight box."""
    import matplotlib as mpl

    shown_dpi = fig.get_dpi()
    fig.set_dpi(dpi)
    try:
        fig.draw_without_rendering()  # runs the layout engine
        box = fig.get_tightbbox().padded(mpl.rcParams["savefig.pad_inches"])
    finally:
        fig.set_dpi(shown_dpi)
    fig.set_layout_engine("none")  # keep the layout just computed for every file
    return box


_PENDING: Sequence[Chart] = ()
"""The charts of the running :func:`render_all`, inherited by its forked workers."""


def render_all(
    charts: Sequence[Chart],
    kinds: Sequence[str],
    *,
    dpi: float,
    workers: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> list[Rendered]:
    """Render every chart in ``kinds``, in order; in ``workers`` processes where possible.

    Parameters
    ----------
    charts : sequence of Chart
    kinds : sequence of str
        Formats to write (:data:`KINDS`).
    dpi : float
        Resolution of the PNG files, and of the layout.
    workers : int, optional
        Processes to render in (default: the CPUs this process may use). With one, or
        where the platform cannot ``fork``, the charts are rendered here.
    warn : callable, optional
        Told when the workers failed (a worker killed, e.g. out of memory) and the
        charts are rendered here instead.
    """
    global _PENDING
    count = min(workers or _cpus(), len(charts))
    if count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [_render(chart, kinds, dpi) for chart in charts]
    _PENDING = charts
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            futures = [
                pool.submit(_render_pending, i, tuple(kinds), dpi) for i in range(len(charts))
            ]
            return [future.result() for future in futures]
    except BrokenProcessPool:
        if warn is not None:
            warn("the chart workers stopped; rendering the charts in one process")
        return [_render(chart, kinds, dpi) for chart in charts]
    finally:
        _PENDING = ()


def _render(chart: Chart, kinds: Sequence[str], dpi: float) -> Rendered:
    from sim.charts.style import chart_style

    with chart_style():
        fig = chart.build()
        if chart.page:
            return Rendered(chart.name, chart.title, render(fig, ("pdf",), dpi=dpi, page=True))
        return Rendered(chart.name, chart.title, render(fig, kinds, dpi=dpi))


def _render_pending(index: int, kinds: tuple[str, ...], dpi: float) -> Rendered:
    """In a forked worker: render the parent's chart number ``index``."""
    return _render(_PENDING[index], kinds, dpi)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


__all__ = ["KINDS", "Chart", "Rendered", "render", "render_all"]
