"""Running a sweep: chunks, executors, atomic files, resume, and the summary.

A sweep evaluates every solver (:func:`sim.sweeps.outcomes.evaluate_chunk`) on the
draws of a sampling plan, a chunk at a time, vectorised inside each chunk. Output
folder::

    manifest.json          scenario hash, sweep spec, sampler, seed, versions, chunks
    chunks/chunk-000000.parquet ...   one file per finished chunk
    results.parquet        every draw: inputs and outcomes (written at the end)
    summary.json           hold-up rates with 95% intervals; each solver's predictions

Every file is written to a temporary name and renamed, so a reader never sees half a
file and a sweep killed at any moment loses only the chunks in flight: ``resume``
skips the finished ones. It refuses a folder whose sweep had another scenario or spec
(the fingerprint differs). Monte Carlo draws of chunk ``k`` come from the ``k``-th
child of ``SeedSequence(seed)``, and every other design is built once from the seed,
so the results are identical whatever the executor and the number of workers.

Executors: ``serial``; ``local`` (processes, one per core by default); ``dask``
(a ``LocalCluster``, or an existing cluster at ``scheduler``; needs the ``dask``
extra). At most two chunks per worker are in flight, which bounds memory.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.atomic import atomic_path, remove_leftovers, write_text
from sim.errors import UserError
from sim.model.scenario import Scenario
from sim.sweeps.outcomes import evaluate_chunk
from sim.sweeps.samplers import Samples, sample
from sim.sweeps.space import SweepSpace

EXECUTORS = ("serial", "local", "dask")
CHUNKS = "chunks"
PACKAGES = ("kurilsim", "numpy", "scipy", "pandas", "pyarrow", "SALib", "nashpy", "pydantic")


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep evaluates: a scenario, a space, a design and its chunks.

    Attributes
    ----------
    scenario : Scenario
    space : SweepSpace
    method : str
        Sampling method (see :data:`sim.sweeps.samplers.METHODS`).
    n_requested, seed, chunk_size : int
    n_rows : int
        Number of draws (a design may round ``n_requested``).
    note : str
        What the sampler did with ``n_requested``.
    design : Samples or None
        The whole design; None for Monte Carlo, which is drawn chunk by chunk.
    """

    scenario: Scenario
    space: SweepSpace
    method: str
    n_requested: int
    seed: int
    chunk_size: int
    n_rows: int
    note: str
    design: Samples | None = field(default=None, repr=False)

    @property
    def n_chunks(self) -> int:
        return math.ceil(self.n_rows / self.chunk_size)

    def bounds(self, k: int) -> tuple[int, int]:
        """First and one-past-last draw of chunk ``k``."""
        return k * self.chunk_size, min((k + 1) * self.chunk_size, self.n_rows)

    def values(self, k: int) -> NDArray[np.float64]:
        """Draws of chunk ``k``, shape ``(rows, P)`` in natural units."""
        lo, hi = self.bounds(k)
        if self.design is not None:
            return self.design.values[lo:hi]
        child = np.random.SeedSequence(self.seed).spawn(self.n_chunks)[k]
        unit = np.random.default_rng(child).random((hi - lo, len(self.space)))
        return self.space.from_unit(unit)

    def spec(self) -> dict[str, Any]:
        """The sweep spec as JSON-ready data (part of the fingerprint)."""
        return {
            "method": self.method,
            "samples": self.n_requested,
            "rows": self.n_rows,
            "seed": self.seed,
            "chunk_size": self.chunk_size,
            "note": self.note,
            "parameters": [
                {"path": p.path, "distribution": p.distribution.describe(), "baseline": p.baseline}
                for p in self.space.parameters
            ],
        }

    def fingerprint(self) -> str:
        """SHA-256 of the resolved scenario and the spec: what a resumed sweep must match."""
        text = self.scenario.model_dump_json() + json.dumps(self.spec(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def plan_sweep(
    scenario: Scenario, space: SweepSpace, method: str, n: int, seed: int, chunk_size: int
) -> SweepPlan:
    """Build the design (or, for Monte Carlo, only its size) of a sweep."""
    if len(space) == 0:
        raise UserError("nothing to sweep: no parameter has a range; declare ranges or --param")
    if chunk_size < 1:
        raise UserError(f"chunk size must be at least 1, got {chunk_size}")
    if method == "mc":
        if n < 1:
            raise UserError(f"samples must be at least 1, got {n}")
        return SweepPlan(scenario, space, method, n, seed, chunk_size, n, f"{n} Monte Carlo draws")
    try:
        design = sample(space, method, n, seed)
    except ValueError as error:
        raise UserError(str(error)) from None
    return SweepPlan(
        scenario, space, method, n, seed, chunk_size, design.n_rows, design.note, design
    )


# -- running ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepOutput:
    """Where a finished sweep is, and its summary."""

    folder: Path
    results: Path
    summary: dict[str, Any]
    chunks_run: int
    chunks_skipped: int
    seconds: float


def run_sweep(
    plan: SweepPlan,
    folder: str | Path,
    *,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SweepOutput:
    """Run (or resume) a sweep into ``folder``.

    Parameters
    ----------
    plan : SweepPlan
    folder : path
        Output folder (created if needed).
    executor : {"serial", "local", "dask"}
    workers : int, optional
        Processes (``local``) or Dask workers (``LocalCluster``); default one per core.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:port``).
    resume : bool
        Continue a sweep already in ``folder``, skipping its finished chunks.
    progress : callable, optional
        Called with the number of draws of each chunk as it finishes (and of the
        chunks skipped on resume).
    """
    start = time.perf_counter()
    folder = Path(folder)
    if executor not in EXECUTORS:
        raise UserError(f"unknown executor '{executor}'; expected one of {', '.join(EXECUTORS)}")
    todo = _prepare(plan, folder, resume)
    skipped = plan.n_chunks - len(todo)
    if progress is not None and skipped:
        pending = set(todo)
        finished = (plan.bounds(k) for k in range(plan.n_chunks) if k not in pending)
        progress(sum(hi - lo for lo, hi in finished))
    # Chunks are drawn lazily (memory stays bounded). Local workers write their own
    # chunk files; a Dask cluster may not share this file system, so its workers send
    # the columns back and this process writes them.
    writer = None if executor == "dask" else folder
    tasks = ((k, plan.bounds(k)[0], plan.values(k)) for k in todo)
    results = _Results(plan, folder)
    try:
        for k in set(range(plan.n_chunks)) - set(todo):
            results.finished_chunk(k)
        for k, done in _execute(
            executor, plan.scenario, plan.space, tasks, writer, workers, scheduler
        ):
            if isinstance(done, dict):
                _write_chunk(folder, k, plan.bounds(k)[0], done)
            results.finished_chunk(k)
            if progress is not None:
                lo, hi = plan.bounds(k)
                progress(hi - lo)
    except BaseException:
        results.abandon()
        raise
    summary = results.close()
    seconds = time.perf_counter() - start
    return SweepOutput(folder, results.path, summary, len(todo), skipped, seconds)


def _prepare(plan: SweepPlan, folder: Path, resume: bool) -> list[int]:
    """Check or write the manifest; the chunks still to run."""
    manifest = folder / "manifest.json"
    if manifest.exists():
        if not resume:
            raise UserError(
                "this folder already holds a sweep: add --resume to continue it, or choose "
                "another output folder",
                source=str(folder),
            )
        old = json.loads(manifest.read_text(encoding="utf-8"))
        if old.get("fingerprint") != plan.fingerprint():
            raise UserError(
                "cannot resume: the scenario or the sweep spec changed since this sweep "
                "started (fingerprint mismatch); start it in another folder",
                source=str(manifest),
            )
    try:
        (folder / CHUNKS).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(
            f"cannot create the folder ({error.strerror})", source=str(folder)
        ) from None
    remove_leftovers(folder)
    remove_leftovers(folder / CHUNKS)
    _write_json(manifest, _manifest(plan, status="running"))
    return [k for k in range(plan.n_chunks) if not _chunk_path(folder, k).exists()]


def _manifest(plan: SweepPlan, status: str) -> dict[str, Any]:
    return {
        "status": status,
        "fingerprint": plan.fingerprint(),
        "scenario": plan.scenario.scenario.name,
        "scenario_sha256": hashlib.sha256(plan.scenario.model_dump_json().encode()).hexdigest(),
        "sweep": plan.spec(),
        "chunks": [
            {"index": k, "draws": list(plan.bounds(k)), "file": f"{CHUNKS}/{_chunk_name(k)}"}
            for k in range(plan.n_chunks)
        ],
        "versions": {"python": platform.python_version(), **_versions()},
    }


def _versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _chunk_name(k: int) -> str:
    return f"chunk-{k:06d}.parquet"


def _chunk_path(folder: Path, k: int) -> Path:
    return folder / CHUNKS / _chunk_name(k)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    write_text(path, json.dumps(data, indent=2, default=_jsonable) + "\n")


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _write_chunk(folder: Path, k: int, first_draw: int, columns: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = len(next(iter(columns.values())))
    data = {"draw": np.arange(first_draw, first_draw + n, dtype=np.int64), **columns}
    table = pa.table({name: _arrow(values) for name, values in data.items()})
    with atomic_path(_chunk_path(folder, k)) as tmp:
        pq.write_table(table, tmp, **_parquet_options(table))


def _parquet_options(table: Any) -> dict[str, Any]:
    """Dictionary-encode only the text columns (deal names); no column statistics.

    Numbers rarely repeat, so dictionary pages and min/max statistics only cost time.
    """
    import pyarrow as pa

    text = [f.name for f in table.schema if pa.types.is_string(f.type)]
    return {"use_dictionary": text, "write_statistics": False}


def _arrow(values: NDArray[Any]) -> Any:
    import pyarrow as pa

    if values.dtype == object or values.dtype.kind == "U":
        return pa.array(values, type=pa.string())
    return pa.array(values)


# -- executors ---------------------------------------------------------------------------


Task = tuple[Scenario, SweepSpace, int, int, NDArray[np.float64], Path | None]


def _evaluate(task: Task) -> tuple[int, Any]:
    """Evaluate one chunk; write it if given a folder (then return True), else its columns."""
    scenario, space, k, first_draw, values, folder = task
    delay = os.environ.get("KURILSIM_TEST_CHUNK_DELAY")
    if delay:  # lets the test suite kill a sweep between chunks
        time.sleep(float(delay))
    columns = evaluate_chunk(scenario, space, values)
    if folder is None:
        return k, columns
    _write_chunk(folder, k, first_draw, columns)
    return k, True


def _execute(
    executor: str,
    scenario: Scenario,
    space: SweepSpace,
    tasks: Iterable[tuple[int, int, NDArray[np.float64]]],
    folder: Path | None,
    workers: int | None,
    scheduler: str | None,
) -> Iterator[tuple[int, Any]]:
    jobs = ((scenario, space, k, first, values, folder) for k, first, values in tasks)
    if executor == "serial":
        yield from map(_evaluate, jobs)
    elif executor == "local":
        yield from _processes(jobs, workers or os.cpu_count() or 1)
    else:
        yield from _dask(jobs, workers, scheduler)


def _processes(jobs: Iterable[Any], workers: int) -> Iterator[tuple[int, Any]]:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: set[Future[tuple[int, Any]]] = set()
        for job in jobs:
            pending.add(pool.submit(_evaluate, job))
            if len(pending) >= 2 * workers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in done)
        for future in pending:
            yield future.result()


def _dask(
    jobs: Iterable[Any], workers: int | None, scheduler: str | None
) -> Iterator[tuple[int, Any]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UserError(
            "the dask executor needs the dask extra: pip install 'kurilsim[dask]'"
        ) from None
    cluster = (
        None
        if scheduler
        else LocalCluster(
            n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True
        )
    )
    try:
        client = Client(scheduler or cluster, timeout="30s")
    except OSError as error:
        raise UserError(f"cannot reach the Dask scheduler {scheduler}: {error}") from None
    try:
        limit = 2 * max(1, len(client.scheduler_info()["workers"]))
        queue = as_completed()
        for job in jobs:
            queue.add(client.submit(_evaluate, job, pure=False))
            if queue.count() >= limit:
                yield next(queue).result()
        for future in queue:
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- finishing: results.parquet and summary.json -----------------------------------------


class _Results:
    """Appends finished chunks, in draw order, to ``results.parquet`` while a sweep runs.

    The file is written under a temporary name and renamed by :meth:`close`; chunk ``k``
    is appended as soon as chunks ``0..k`` are all on disk, so assembling the results
    overlaps the evaluation instead of following it.
    """

    def __init__(self, plan: SweepPlan, folder: Path) -> None:
        from sim.sweeps.summary import SummaryAccumulator

        self.plan, self.folder = plan, folder
        self.path = folder / "results.parquet"
        self.accumulator = SummaryAccumulator()
        self.finished: set[int] = set()
        self.next = 0
        self.writer: Any = None
        self._atomic = atomic_path(self.path)
        self.tmp = self._atomic.__enter__()

    def finished_chunk(self, k: int) -> None:
        """Note that chunk ``k`` is on disk; append every chunk now in order."""
        import pyarrow.parquet as pq

        self.finished.add(k)
        while self.next in self.finished:
            table = pq.read_table(_chunk_path(self.folder, self.next))
            self.accumulator.add(table)
            if self.writer is None:
                options = _parquet_options(table)
                self.writer = pq.ParquetWriter(self.tmp, table.schema, **options)
            self.writer.write_table(table)
            self.next += 1

    def close(self) -> dict[str, Any]:
        """Rename the results into place; write the summary and the final manifest."""
        if self.writer is not None:
            self.writer.close()
        self._atomic.__exit__(None, None, None)
        summary = self.accumulator.result(self.plan)
        _write_json(self.folder / "summary.json", summary)
        _write_json(self.folder / "manifest.json", _manifest(self.plan, status="complete"))
        return summary

    def abandon(self) -> None:
        """Drop the partial results (the chunk files stay for a resume)."""
        if self.writer is not None:
            self.writer.close()
        self.tmp.unlink(missing_ok=True)
