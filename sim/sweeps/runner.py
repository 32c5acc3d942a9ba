"""Running a sweep: chunks, executors, a resume that verifies, and the summary.

A sweep evaluates every solver (:func:`sim.sweeps.outcomes.evaluate_chunk_coded`) on
the draws of a sampling plan, a chunk at a time, vectorised inside each chunk. Output
folder::

    manifest.json          fingerprint, scenario hash, sweep spec, sampler, seed,
                           versions, and every finished chunk with its SHA-256
    chunks/chunk-000000.parquet ...   one file per finished chunk, while the sweep runs
    results.parquet/chunk-000000.parquet ...   the same files once every chunk is done
    summary.json           hold-up rates with 95% intervals; each solver's predictions

Each draw is stored once. The chunk files are the results: when the last chunk is done
the folder ``chunks/`` is renamed ``results.parquet/``, a Parquet dataset (one file per
chunk, in draw order by name) that ``pandas.read_parquet`` and ``pyarrow.dataset`` read
as one table. The rename is atomic, so ``results.parquet`` is there only when it is
whole. A worker evaluates a chunk, writes its file (deal names and reasons as dictionary
columns built from the solvers' integer codes) and counts its summary
(:class:`~sim.sweeps.summary.SummaryCounts`); this process only adds up the counts and
keeps the manifest, and never reads a chunk it did not have to verify.

The folder is an :class:`~sim.outputs.OutputFolder`: one sweep writes into it at a
time (a second one stops with exit status 2 naming the first), and a sweep replaces or
removes only files it recorded as its own. A folder that holds files kurilsim did not
write is refused unless ``force``; even then those files are never overwritten.

Every file is written to a temporary name and renamed, so a reader never sees half a
file, and a sweep killed at any moment loses only the chunks in flight: ``resume``
keeps the finished ones that verify. Monte Carlo draws of chunk ``k`` come from
``SeedSequence(seed, spawn_key=(k,))``, which is the ``k``-th child that
``SeedSequence(seed).spawn`` would make, and every other design is built once from the
seed, so the results are identical whatever the executor and the number of workers.

Resume verifies every chunk
---------------------------
The manifest is the proof of each chunk. A chunk file carries the sweep's fingerprint
(SHA-256 of the resolved scenario and the sweep spec) and its first draw in its Parquet
key-value metadata (``kurilsim.fingerprint``, ``kurilsim.first_draw``) besides its
``draw`` column. Only once the file is on disk (written, flushed, renamed) does the
manifest record it: index, draw range ``[first, last + 1)``, the SHA-256 of the file
and the fingerprint. The manifest is rewritten atomically after each finished chunk;
when chunks finish faster than it can be rewritten, it waits until
:data:`MANIFEST_PAUSE` times the last rewrite has passed (so tiny chunks cannot make a
sweep quadratic), and it is always written when a sweep stops or fails. On ``resume``
the manifest's fingerprint must be the plan's, and then every chunk is verified: its
manifest entry must carry the plan's fingerprint and the chunk's draw range, the file
must hash to the recorded SHA-256, its metadata must name the fingerprint and first
draw, and its ``draw`` column must be exactly the range. A chunk that verifies is
counted for the summary from the same bytes that were hashed. A chunk that fails is
redone, never merged, and said so ("chunk 7 failed verification (...): redone"); a chunk
file the manifest does not list (finished just before a kill) is redone as well. A
resumed sweep that was finished first renames ``results.parquet/`` back to ``chunks/``,
so that no reader sees it while a chunk is redone. A folder that holds chunk files but
no manifest cannot tell which sweep they belong to and is refused. The finished
manifest also records the SHA-256 of ``summary.json``, so :func:`load_finished` can
reuse a finished sweep only when every chunk and the summary are the bytes this plan
produced.

Limits
------
Designs other than Monte Carlo are built whole: before building one, its memory
(rows × parameters × 8 bytes × :data:`DESIGN_OVERHEAD`, a measured peak) is compared
with :data:`MEMORY_FRACTION` of the available memory, and a design that does not fit is
refused. Chunks in flight are checked the same way (:data:`EVALUATION_BYTES_PER_DRAW`),
and a sweep may have at most :data:`MAX_CHUNKS` chunk files.

Executors: ``serial``; ``local`` (processes, one per core by default); ``dask``
(a ``LocalCluster``, or an existing cluster at ``scheduler``; needs the ``dask``
extra). At most two chunks per worker are in flight, which bounds memory. A Dask
scheduler must answer within :data:`DASK_CONNECT_TIMEOUT` seconds and have a worker
within :data:`DASK_WORKER_TIMEOUT` seconds (also when every worker leaves mid-sweep);
the address is checked and the connection made before anything is written, and a sweep
that fails before finishing any chunk leaves its folder as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.atomic import atomic_path
from sim.errors import UserError
from sim.model.scenario import Scenario
from sim.outputs import LOCK, RECORD, OutputFolder, format_size
from sim.sweeps.outcomes import Coded, evaluate_chunk_coded
from sim.sweeps.samplers import MAX_GRID_ROWS, Samples, sample
from sim.sweeps.space import Discrete, SweepSpace
from sim.sweeps.summary import SummaryAccumulator, SummaryCounts, SweepSummary, counted_columns

EXECUTORS = ("serial", "local", "dask")
CHUNKS = "chunks"
MANIFEST = "manifest.json"
RESULTS = "results.parquet"
SUMMARY = "summary.json"
MANIFEST_FORMAT = 3
"""Version of the manifest layout (3: finished chunks with their SHA-256; the chunk files
become ``results.parquet/`` when the sweep is complete)."""
PACKAGES = ("kurilsim", "numpy", "scipy", "pandas", "pyarrow", "SALib", "nashpy", "pydantic")

MAX_CHUNKS = 1_000_000
"""Most chunk files a sweep may have (each is a file and a manifest entry)."""
MEMORY_FRACTION = 0.5
"""Share of the available memory (``MemAvailable``) a sweep may plan to use.

Half, because the workers that evaluate the chunks need memory beside the design.
"""
DESIGN_OVERHEAD = {"grid": 3.5, "oat": 6.0, "mc": 2.5, "lhs": 3.5, "sobol": 3.0, "morris": 4.5}
"""Peak memory of building a design, in units of its ``rows × parameters × 8`` bytes.

Measured peaks (resident set) on the baseline scenario with 3 and 35 parameters:
grid 3.0, oat 3.2–5.1, mc 2.0, lhs 3.0, sobol 2.0–2.4, morris 3.0–3.8.
"""
EVALUATION_BYTES_PER_DRAW = 4_000
"""Peak memory of evaluating one draw of a chunk (measured: 2.9–3.7 kB, 35 parameters)."""
DISK_BYTES_PER_DRAW = 320
"""Disk space of one draw in a chunk file, until a finished chunk tells (measured: 300)."""
MANIFEST_PAUSE = 20
"""After a manifest rewrite that took ``t`` seconds, the next waits ``MANIFEST_PAUSE × t``."""
DASK_CONNECT_TIMEOUT = 10.0
"""Seconds a Dask scheduler has to answer."""
DASK_WORKER_TIMEOUT = 30.0
"""Seconds to wait for a first Dask worker, or for one to come back when all have left."""
DASK_POLL = 0.5
"""Seconds between checks of a Dask cluster's workers while chunks run."""
SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss")
MAX_WARNINGS = 20
"""Chunks named one by one when they fail verification (the rest are counted)."""

_META_FINGERPRINT = b"kurilsim.fingerprint"
_META_FIRST_DRAW = b"kurilsim.first_draw"
_HASH_BLOCK = 1 << 20


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
        """Draws of chunk ``k``, shape ``(rows, P)`` in natural units.

        Monte Carlo chunk ``k`` is drawn from ``SeedSequence(seed, spawn_key=(k,))``: the
        ``k``-th child of ``SeedSequence(seed)``, made without spawning the others.
        """
        lo, hi = self.bounds(k)
        if self.design is not None:
            return self.design.values[lo:hi]
        child = np.random.SeedSequence(self.seed, spawn_key=(k,))
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
    """Build the design (or, for Monte Carlo, only its size) of a sweep.

    The size of the design is worked out first: a design that would not fit in memory
    (see :func:`design_memory`) or a sweep of more than :data:`MAX_CHUNKS` chunks is
    refused with a :class:`UserError` before anything is allocated.
    """
    if len(space) == 0:
        raise UserError("nothing to sweep: no parameter has a range; declare ranges or --param")
    if chunk_size < 1:
        raise UserError(f"chunk size must be at least 1, got {chunk_size}")
    if n < 1:
        raise UserError(f"samples must be at least 1, got {n}")
    rows = design_rows(space, method, n)
    too_big_grid = method == "grid" and rows > MAX_GRID_ROWS  # the sampler says so itself
    if not too_big_grid:
        _check_chunk_count(rows, chunk_size)
    if method == "mc":
        return SweepPlan(scenario, space, method, n, seed, chunk_size, n, f"{n} Monte Carlo draws")
    if not too_big_grid:
        _check_memory(
            design_memory(space, method, n),
            f"the {method} design of {rows:,} rows × {len(space)} parameters",
            "use fewer samples, or --method mc, which draws chunk by chunk",
        )
    try:
        design = sample(space, method, n, seed)
    except ValueError as error:
        raise UserError(str(error)) from None
    return SweepPlan(
        scenario, space, method, n, seed, chunk_size, design.n_rows, design.note, design
    )


def design_rows(space: SweepSpace, method: str, n: int) -> int:
    """Rows of the design :func:`~sim.sweeps.samplers.sample` would build, without building it.

    Follows the rules of :mod:`sim.sweeps.samplers` (``sobol`` without second-order
    indices, ``morris`` trajectories of ``P + 1`` rows).
    """
    p = len(space)
    if method in ("mc", "lhs"):
        return n
    if method == "sobol":
        return (1 << (n - 1).bit_length()) * (p + 2)
    if method == "morris":
        return n * (p + 1)
    sizes = [
        q.distribution.k if isinstance(q.distribution, Discrete) else 0 for q in space.parameters
    ]
    n_cont = sizes.count(0)
    if method == "grid":
        k = math.prod(s for s in sizes if s)
        level = max(2, round((n / k) ** (1 / n_cont))) if n_cont else 0
        return math.prod(s or level for s in sizes)
    if method == "oat":
        level = max(2, round((n - 1 - sum(sizes)) / n_cont)) if n_cont else 0
        return 1 + sum(s or level for s in sizes)
    return n  # an unknown method is reported by the sampler


def design_memory(space: SweepSpace, method: str, n: int) -> int:
    """Bytes building a design takes at its peak: rows × parameters × 8 × the overhead."""
    rows = design_rows(space, method, n)
    return int(rows * len(space) * 8 * DESIGN_OVERHEAD.get(method, 4.0))


def available_memory() -> int | None:
    """Bytes of memory available to new work (``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _check_memory(need: int, what: str, advice: str) -> None:
    available = available_memory()
    if available is None:
        return
    limit = int(available * MEMORY_FRACTION)
    if need > limit:
        raise UserError(
            f"{what} needs about {format_size(need)} of memory, more than the limit of "
            f"{format_size(limit)} ({MEMORY_FRACTION:.0%} of the {format_size(available)} "
            f"available); {advice}"
        )


def _check_chunk_count(rows: int, chunk_size: int) -> None:
    chunks = math.ceil(rows / chunk_size)
    if chunks > MAX_CHUNKS:
        raise UserError(
            f"{rows:,} draws in chunks of {chunk_size:,} would make {chunks:,} chunk files, "
            f"more than {MAX_CHUNKS:,}; use a --chunk-size of at least "
            f"{math.ceil(rows / MAX_CHUNKS):,} or fewer samples"
        )


def _check_chunk_memory(plan: SweepPlan, executor: str, workers: int) -> None:
    rows = min(plan.chunk_size, plan.n_rows)
    in_flight = 1 if executor == "serial" else 2 * workers
    per_draw = EVALUATION_BYTES_PER_DRAW + 16 * len(plan.space)
    _check_memory(
        rows * per_draw * in_flight,
        f"{in_flight} chunk{'s' if in_flight > 1 else ''} of {rows:,} draws in flight",
        "use a smaller --chunk-size or fewer --workers",
    )


def check_scheduler(address: str) -> str:
    """The Dask scheduler address ``address`` as ``SCHEME://HOST:PORT``; UserError if malformed.

    Examples
    --------
    >>> check_scheduler("localhost:8786")
    'tcp://localhost:8786'
    """
    text = address.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    if scheme not in SCHEDULER_SCHEMES:
        raise UserError(
            f"--scheduler '{address}': a Dask scheduler address starts with "
            f"{', '.join(s + '://' for s in SCHEDULER_SCHEMES)}, not '{scheme}://'; "
            "expected tcp://HOST:PORT"
        )
    host, colon, port = rest.rpartition(":")
    valid_host = bool(host) and not any(c.isspace() or c in "/?#@" for c in host)
    if not colon or not valid_host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise UserError(
            f"--scheduler '{address}' is not a Dask scheduler address: expected "
            "tcp://HOST:PORT with a port from 1 to 65535"
        )
    return f"{scheme}://{host}:{int(port)}"


# -- running ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepOutput:
    """Where a finished sweep is, and its summary.

    Attributes
    ----------
    folder : Path
    results : Path
        The ``results.parquet`` folder: a Parquet dataset, one file per chunk in draw
        order, that ``pandas.read_parquet`` and ``pyarrow.dataset.dataset`` read whole.
    summary : SweepSummary
    chunks_run, chunks_skipped : int
        Chunks evaluated by this run, and finished chunks it kept (verified).
    seconds : float
    redone : tuple of str
        One line per chunk that failed verification and was redone.
    """

    folder: Path
    results: Path
    summary: SweepSummary
    chunks_run: int
    chunks_skipped: int
    seconds: float
    redone: tuple[str, ...] = ()


def run_sweep(
    plan: SweepPlan,
    folder: str | Path | OutputFolder,
    *,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> SweepOutput:
    """Run (or resume) a sweep into ``folder``.

    Parameters
    ----------
    plan : SweepPlan
    folder : path or OutputFolder
        Output folder (created if needed). A path is opened as an
        :class:`~sim.outputs.OutputFolder` for the run (a sub-folder an enclosing
        output folder recorded is fine); an open ``OutputFolder`` is used as it is.
    executor : {"serial", "local", "dask"}
    workers : int, optional
        Processes (``local``) or Dask workers (``LocalCluster``); default one per core.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:port``); only with ``dask``.
    resume : bool
        Continue a sweep already in ``folder``, keeping its finished chunks that verify.
    force : bool
        Write into a non-empty folder kurilsim did not make (its files are never touched).
    progress : callable, optional
        Called with the number of draws of each chunk as it finishes (and of the
        chunks kept on resume).
    warn : callable, optional
        Called with one line for each chunk that failed verification and is redone.

    Returns
    -------
    SweepOutput

    Raises
    ------
    UserError
        A folder that is not this sweep's or is locked, a malformed or unreachable
        scheduler, a chunk size that does not fit in memory, a full disk.
    """
    start = time.perf_counter()
    if executor not in EXECUTORS:
        raise UserError(f"unknown executor '{executor}'; expected one of {', '.join(EXECUTORS)}")
    if scheduler is not None and executor != "dask":
        raise UserError(
            f"--scheduler names a Dask scheduler: it needs --executor dask, not {executor}"
        )
    address = check_scheduler(scheduler) if scheduler is not None else None
    n_workers = 1 if executor == "serial" else workers or os.cpu_count() or 1
    if address is None:
        _check_chunk_memory(plan, executor, n_workers)
    with ExitStack() as stack:
        if isinstance(folder, OutputFolder):
            out = folder if folder.is_open else stack.enter_context(folder)
        else:
            out = stack.enter_context(OutputFolder(Path(folder), command="sweep", force=force))
        sweep = _Sweep(plan, out, resume)
        if warn is not None:
            for line in sweep.redone[:MAX_WARNINGS]:
                warn(line)
            if len(sweep.redone) > MAX_WARNINGS:
                more = len(sweep.redone) - MAX_WARNINGS
                warn(f"and {more:,} more chunks failed verification: redone")
        run = stack.enter_context(_executor(executor, workers, address))
        return sweep.run(run, progress, start)
    raise AssertionError("unreachable")  # pragma: no cover


def load_finished(plan: SweepPlan, folder: str | Path) -> SweepOutput | None:
    """The finished sweep of ``plan`` in ``folder``, verified; None if there is none.

    A sweep is reused only if its manifest is complete and has the plan's fingerprint,
    and every chunk in ``results.parquet/`` and ``summary.json`` hash to what the
    manifest recorded. A missing folder, another sweep, or anything damaged gives None
    (never an error).
    """
    import pyarrow as pa

    start = time.perf_counter()
    path = Path(folder)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        fingerprint = plan.fingerprint()
        if manifest.get("status") != "complete" or manifest.get("fingerprint") != fingerprint:
            return None
        if manifest.get("format") != MANIFEST_FORMAT:
            return None
        entries = _entries(manifest)
        if set(entries) != set(range(plan.n_chunks)):
            return None
        for k in range(plan.n_chunks):
            reason, _ = _verify_chunk(plan, fingerprint, path / RESULTS, k, entries[k])
            if reason is not None:
                return None
        if _sha256(path / SUMMARY) != manifest["summary"]["sha256"]:
            return None
        summary = SweepSummary.from_json(json.loads((path / SUMMARY).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, pa.ArrowException):
        return None
    seconds = time.perf_counter() - start
    return SweepOutput(path, path / RESULTS, summary, 0, plan.n_chunks, seconds)


def json_text(data: Any) -> str:
    """``data`` as indented JSON (numpy scalars as numbers), ending in a newline."""
    return json.dumps(data, indent=2, default=_jsonable) + "\n"


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class _Sweep:
    """One run of a sweep in an open output folder: what is finished, what is left."""

    def __init__(self, plan: SweepPlan, out: OutputFolder, resume: bool) -> None:
        self.plan, self.out = plan, out
        self.fingerprint = plan.fingerprint()
        self.finished: dict[int, dict[str, Any]] = {}
        self.counts = SummaryAccumulator()  # of the finished chunks
        self.redone: list[str] = []
        for name in (MANIFEST, RESULTS, SUMMARY, f"{CHUNKS}/"):
            out.target(name)  # refuse at once what could not be replaced at the end
        manifest = out.path / MANIFEST
        self.fresh = not manifest.exists()
        self.reopen = False
        if self.fresh:
            self._refuse_orphan_chunks()
            return
        if not resume:
            raise UserError(
                "this folder already holds a sweep: add --resume to continue it, or choose "
                "another output folder",
                source=str(out.path),
            )
        try:
            old = json.loads(manifest.read_text(encoding="utf-8"))
            entries = _entries(old)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise UserError(
                "cannot resume: the manifest is damaged; start the sweep in another folder",
                source=str(manifest),
            ) from None
        if old.get("fingerprint") != self.fingerprint:
            raise UserError(
                "cannot resume: the scenario or the sweep spec changed since this sweep "
                "started (fingerprint mismatch); start it in another folder",
                source=str(manifest),
            )
        if old.get("format") != MANIFEST_FORMAT:
            raise UserError(
                "cannot resume: this sweep was written by another version of kurilsim, "
                "whose chunks cannot be verified; start it in another folder",
                source=str(manifest),
            )
        finished = (out.path / RESULTS).is_dir() and not (out.path / CHUNKS).exists()
        self.reopen = finished  # results.parquet/ goes back to chunks/ when the run starts
        where = out.path / (RESULTS if finished else CHUNKS)
        for k, entry in sorted(entries.items()):
            if not 0 <= k < plan.n_chunks:
                continue
            reason, counts = _verify_chunk(plan, self.fingerprint, where, k, entry)
            if reason is None and counts is not None:
                self.finished[k] = entry
                self.counts.add_counts(counts)
            else:
                self.redone.append(f"chunk {k} failed verification ({reason}): redone")

    def _refuse_orphan_chunks(self) -> None:
        for name in (CHUNKS, RESULTS):
            chunks = self.out.path / name
            if chunks.is_dir() and any(p.name not in (LOCK, RECORD) for p in chunks.iterdir()):
                raise UserError(
                    f"holds chunk files ({name}/) but no manifest.json, so nothing tells which "
                    "sweep they belong to; they are not reused: remove the folder or choose "
                    "another one",
                    source=str(self.out.path),
                )

    def run(self, run: _Run, progress: Callable[[int], None] | None, start: float) -> SweepOutput:
        plan, out = self.plan, self.out
        todo = [k for k in range(plan.n_chunks) if k not in self.finished]
        if progress is not None and self.finished:
            progress(sum(hi - lo for lo, hi in map(plan.bounds, self.finished)))
        manifest = _Manifest(plan, self.fingerprint, out, self.finished)
        out.needs = manifest.space_needed()
        if self.finished:
            out.again = "run it again with --resume"
        if self.reopen:  # no reader sees results.parquet while chunks are redone
            manifest.write("running")
            _rename_folder(out, RESULTS, CHUNKS)
        chunks = out.subfolder(CHUNKS)
        try:
            with chunks:
                chunks.claim([_chunk_name(k) for k in range(plan.n_chunks)])
                chunks.remove_leftovers()
                out.remove_leftovers(frozenset({MANIFEST, RESULTS, SUMMARY}))
                if self.fresh:
                    manifest.write("running")
                self._evaluate(run, todo, manifest, progress)
            summary = self._finish(manifest)
        except BaseException as error:
            if self.fresh and not manifest.entries:
                out.remove(MANIFEST)  # nothing finished: leave the folder as it was
                out.remove(f"{CHUNKS}/")
            if isinstance(error, OSError):
                raise out.disk_error(error) from None
            raise
        seconds = time.perf_counter() - start
        return SweepOutput(
            out.path,
            out.path / RESULTS,
            summary,
            len(todo),
            plan.n_chunks - len(todo),
            seconds,
            tuple(self.redone),
        )

    def _evaluate(
        self,
        run: _Run,
        todo: list[int],
        manifest: _Manifest,
        progress: Callable[[int], None] | None,
    ) -> None:
        """Evaluate the chunks ``todo``, recording each in the manifest and counting it."""
        plan, out = self.plan, self.out
        # Chunks are drawn lazily (memory stays bounded). Local workers write their own
        # chunk files; a Dask cluster may not share this file system, so its workers send
        # the encoded file back and this process writes it.
        writer = None if run.remote else out.path / CHUNKS
        tasks = (
            (plan.scenario, plan.space, k, plan.bounds(k)[0], plan.values(k), writer, manifest.fp)
            for k in todo
        )
        try:
            for k, done in run(tasks):
                sha256 = done.sha256
                if sha256 is None:
                    assert done.content is not None
                    sha256 = _write_chunk(out.path / CHUNKS, k, done.content)
                manifest.add(k, sha256)
                out.again = "run it again with --resume"
                self.counts.add_counts(done.counts)
                if progress is not None:
                    lo, hi = plan.bounds(k)
                    progress(hi - lo)
            if manifest.dirty:
                manifest.write("running")  # every chunk listed before the folder is renamed
        except BaseException:
            manifest.flush_quietly()
            raise

    def _finish(self, manifest: _Manifest) -> SweepSummary:
        """Write the summary, rename ``chunks/`` to ``results.parquet/``, mark it complete."""
        plan, out = self.plan, self.out
        summary = self.counts.result(plan.scenario.scenario.name, plan.method, plan.seed)
        out.write_text(SUMMARY, json_text(summary.to_json()))
        _rename_folder(out, CHUNKS, RESULTS)
        stamp = out.stamp(SUMMARY)
        sha256 = stamp.sha256 if stamp is not None else _sha256(out.path / SUMMARY)
        manifest.write("complete", {SUMMARY: sha256})
        return summary


def _rename_folder(out: OutputFolder, old: str, new: str) -> None:
    """Rename kurilsim's sub-folder ``old`` of ``out`` to ``new`` (which must be free).

    The new name is recorded before the rename and the old one forgotten after it, so
    that a sweep killed in between still finds the folder recorded as its own.
    """
    out.target(f"{new}/")
    out.record(f"{new}/")
    try:
        os.replace(out.path / old, out.path / new)
    except OSError as error:
        out.remove(f"{new}/")
        raise out.disk_error(error) from None
    out.remove(f"{old}/")  # gone: forgotten


# -- the manifest -----------------------------------------------------------------------


class _Manifest:
    """The manifest of a running sweep: its finished chunks, rewritten as they finish."""

    def __init__(
        self, plan: SweepPlan, fp: str, out: OutputFolder, finished: dict[int, dict[str, Any]]
    ) -> None:
        self.plan, self.fp, self.out = plan, fp, out
        self.entries = dict(finished)
        self.dirty = False
        self.next_write = 0.0
        self.bytes = 0  # of the chunks finished in this run
        self.draws = 0
        self.done = sum(hi - lo for lo, hi in map(plan.bounds, finished))
        self.head: dict[str, Any] = {
            "format": MANIFEST_FORMAT,
            "fingerprint": fp,
            "scenario": plan.scenario.scenario.name,
            "scenario_sha256": hashlib.sha256(plan.scenario.model_dump_json().encode()).hexdigest(),
            "sweep": plan.spec(),
            "n_chunks": plan.n_chunks,
            "versions": {"python": platform.python_version(), **_versions()},
        }

    def add(self, k: int, sha256: str) -> None:
        """Record chunk ``k`` (on disk with this SHA-256); rewrite the manifest if due."""
        lo, hi = self.plan.bounds(k)
        self.entries[k] = {
            "index": k,
            "draws": [lo, hi],
            "file": _chunk_name(k),
            "sha256": sha256,
            "fingerprint": self.fp,
        }
        self.bytes += _chunk_path(self.out.path, k).stat().st_size
        self.draws += hi - lo
        self.done += hi - lo
        self.out.needs = self.space_needed()
        self.dirty = True
        if time.monotonic() >= self.next_write:
            self.write("running")

    def space_needed(self) -> int:
        """Bytes still to write: the chunks left (at the rate measured so far)."""
        per_draw = self.bytes / self.draws if self.draws else DISK_BYTES_PER_DRAW
        return int(per_draw * (self.plan.n_rows - self.done))

    def write(self, status: str, files: dict[str, str] | None = None) -> None:
        begin = time.monotonic()
        self.out.write_text(MANIFEST, self._text(status, files or {}))
        end = time.monotonic()
        self.next_write = end + MANIFEST_PAUSE * (end - begin)
        self.dirty = False

    def flush_quietly(self) -> None:
        """Write the finished chunks if some are not recorded yet; ignore a failure."""
        if self.dirty:
            with contextlib.suppress(UserError, OSError):  # the last manifest is still valid
                self.write("running")

    def _text(self, status: str, files: dict[str, str]) -> str:
        head = {"status": status, **self.head, "chunk_folder": f"{CHUNKS}/"}
        if status == "complete":
            head["chunk_folder"] = f"{RESULTS}/"
            head["results"] = {"folder": f"{RESULTS}/", "files": self.plan.n_chunks}
        for name, sha in files.items():
            head[name.split(".")[0]] = {"file": name, "sha256": sha}
        # One line per chunk keeps a manifest of many chunks small and readable.
        lines = ",\n".join(f"    {json.dumps(self.entries[k])}" for k in sorted(self.entries))
        text = json.dumps(head, indent=2, default=_jsonable)
        chunks = f'  "chunks": [\n{lines}\n  ]' if lines else '  "chunks": []'
        return f"{text[:-2]},\n{chunks}\n}}\n"


def _entries(manifest: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The manifest's finished chunks by index (KeyError/TypeError if malformed)."""
    out = {}
    for entry in manifest["chunks"]:
        k = entry["index"]
        if not isinstance(k, int) or isinstance(k, bool):
            raise TypeError(f"chunk index {k!r}")
        out[k] = entry
    return out


def _verify_chunk(
    plan: SweepPlan, fingerprint: str, chunks: Path, k: int, entry: dict[str, Any]
) -> tuple[str | None, SummaryCounts | None]:
    """Check chunk ``k`` in the folder ``chunks`` against its manifest entry.

    Returns
    -------
    reason : str or None
        Why the file is not the chunk the entry records; None if it is.
    counts : SummaryCounts or None
        The chunk's summary counts, from the bytes that were hashed (None if it failed).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    lo, hi = plan.bounds(k)
    if entry.get("fingerprint") != fingerprint:
        return "recorded for another sweep", None
    if entry.get("draws") != [lo, hi]:
        return f"recorded with draws {entry.get('draws')}, expected [{lo}, {hi}]", None
    try:
        content = (chunks / _chunk_name(k)).read_bytes()
    except FileNotFoundError:
        return "the file is missing", None
    except OSError as error:
        return f"cannot read the file: {error.strerror}", None
    if hashlib.sha256(content).hexdigest() != entry.get("sha256"):
        return "its SHA-256 differs from the manifest's", None
    try:
        parquet = pq.ParquetFile(pa.BufferReader(content))
        meta = parquet.schema_arrow.metadata or {}
        if meta.get(_META_FINGERPRINT) != fingerprint.encode():
            return "the file was written by another sweep", None
        if meta.get(_META_FIRST_DRAW) != str(lo).encode():
            first = meta.get(_META_FIRST_DRAW, b"?").decode()
            return f"the file starts at draw {first}", None
        if parquet.metadata.num_rows != hi - lo:
            return f"the file holds {parquet.metadata.num_rows} draws, expected {hi - lo}", None
        draws = parquet.read(columns=["draw"]).column("draw").to_numpy()
        if not np.array_equal(draws, np.arange(lo, hi)):
            return f"its draw column is not {lo}..{hi - 1}", None
        return None, _count_chunk(content, parquet.schema_arrow)
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return "the file is not a readable chunk", None


def _count_chunk(content: bytes, schema: Any) -> SummaryCounts:
    """The summary counts of a chunk file's bytes (its text columns read as dictionaries)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = counted_columns(schema.names)
    text = [n for n in names if pa.types.is_string(schema.field(n).type)]
    table = pq.ParquetFile(pa.BufferReader(content), read_dictionary=text).read(columns=names)
    return SummaryCounts.of(table)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


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
    """Chunk ``k`` of the sweep in ``folder`` while it runs (in ``chunks/``)."""
    return folder / CHUNKS / _chunk_name(k)


def _chunk_table(first_draw: int, columns: dict[str, Any], fingerprint: str) -> Any:
    """The Arrow table of a chunk: its draws, then ``columns`` (coded ones as dictionaries)."""
    import pyarrow as pa

    n = len(next(iter(columns.values())))
    data = {"draw": np.arange(first_draw, first_draw + n, dtype=np.int64), **columns}
    table = pa.table({name: _arrow(values) for name, values in data.items()})
    return table.replace_schema_metadata(
        {_META_FINGERPRINT: fingerprint.encode(), _META_FIRST_DRAW: str(first_draw).encode()}
    )


def _encode_chunk(table: Any) -> bytes:
    """A chunk table as the bytes of its Parquet file.

    Text columns are written from their dictionaries (no string is hashed or copied per
    row) and read back as plain text: the file stores no Arrow schema, so its types are
    Parquet's own (text, bool, int64, double) and its key-value metadata is the table's.
    Numbers are split by byte (``BYTE_STREAM_SPLIT``) and compressed with Snappy, which
    saves a tenth of their space at half the cost of zstd (which saves a sixth); numbers
    rarely repeat, so they get no dictionary pages, and no column has min/max statistics.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
    floats = [f.name for f in table.schema if pa.types.is_floating(f.type)]
    sink = pa.BufferOutputStream()
    writer = pq.ParquetWriter(
        sink,
        table.schema,
        use_dictionary=text,
        use_byte_stream_split=floats,
        compression="snappy",
        write_statistics=False,
        store_schema=False,
    )
    try:
        writer.write_table(table)
        writer.add_key_value_metadata(table.schema.metadata)
    finally:
        writer.close()
    return bytes(sink.getvalue())


def _write_chunk(chunks: Path, k: int, content: bytes) -> str:
    """Write the bytes of chunk ``k`` into the folder ``chunks`` atomically; their SHA-256."""
    with atomic_path(chunks / _chunk_name(k)) as tmp, open(tmp, "wb") as handle:
        handle.write(content)
    return hashlib.sha256(content).hexdigest()


def _arrow(values: NDArray[Any] | Coded) -> Any:
    import pyarrow as pa

    if isinstance(values, Coded):
        return pa.DictionaryArray.from_arrays(
            pa.array(values.codes.astype(np.int32, copy=False)),
            pa.array(values.labels, type=pa.string()),
        )
    if values.dtype == object or values.dtype.kind == "U":
        return pa.array(values, type=pa.string())
    return pa.array(values)


# -- executors ---------------------------------------------------------------------------


Task = tuple[Scenario, SweepSpace, int, int, NDArray[np.float64], Path | None, str]


@dataclass(frozen=True)
class _Done:
    """A chunk a worker finished: its summary counts, and its file or the file's bytes."""

    counts: SummaryCounts
    sha256: str | None = None
    """SHA-256 of the chunk file the worker wrote."""
    content: bytes | None = field(default=None, repr=False)
    """The chunk file's bytes, for this process to write (a worker without the folder)."""


def _evaluate(task: Task) -> tuple[int, _Done]:
    """Evaluate one chunk and count it; write it if given a folder, else return its bytes."""
    scenario, space, k, first_draw, values, chunks, fingerprint = task
    delay = os.environ.get("KURILSIM_TEST_CHUNK_DELAY")
    if delay:  # lets the test suite kill a sweep between chunks
        time.sleep(float(delay))
    table = _chunk_table(first_draw, evaluate_chunk_coded(scenario, space, values), fingerprint)
    counts = SummaryCounts.of(table)
    content = _encode_chunk(table)
    if chunks is None:
        return k, _Done(counts, content=content)
    return k, _Done(counts, sha256=_write_chunk(chunks, k, content))


class _Run:
    """Runs tasks on an executor: ``run(tasks)`` yields ``(k, done)`` as chunks finish."""

    def __init__(
        self, run: Callable[[Iterable[Task]], Iterator[tuple[int, _Done]]], remote: bool
    ) -> None:
        self._run = run
        self.remote = remote  # workers may not share this file system

    def __call__(self, tasks: Iterable[Task]) -> Iterator[tuple[int, _Done]]:
        return self._run(tasks)


@contextmanager
def _executor(executor: str, workers: int | None, scheduler: str | None) -> Iterator[_Run]:
    """Start (or connect to) the executor; everything that can fail here fails before writing."""
    if executor == "serial":
        yield _Run(lambda tasks: map(_evaluate, tasks), remote=False)
    elif executor == "local":
        n = workers or os.cpu_count() or 1
        pool = ProcessPoolExecutor(max_workers=n)
        try:
            yield _Run(lambda tasks: _processes(pool, tasks, n), remote=False)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        with _dask_client(workers, scheduler) as (client, address):
            yield _Run(lambda tasks: _dask(client, address, tasks), remote=True)


def _processes(
    pool: ProcessPoolExecutor, tasks: Iterable[Task], workers: int
) -> Iterator[tuple[int, Any]]:
    pending: set[Future[tuple[int, Any]]] = set()
    for task in tasks:
        pending.add(pool.submit(_evaluate, task))
        if len(pending) >= 2 * workers:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (f.result() for f in done)
    for future in pending:
        yield future.result()


@contextmanager
def _dask_client(workers: int | None, scheduler: str | None) -> Iterator[tuple[Any, str]]:
    """A connected Dask client with at least one worker, and the scheduler's address."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UserError(
            "the dask executor needs the dask extra: pip install 'kurilsim[dask]'"
        ) from None
    with ExitStack() as stack:
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True
            )
            stack.callback(cluster.close)
            address = str(cluster.scheduler_address)
        else:
            address = scheduler
        try:
            client = Client(address, timeout=DASK_CONNECT_TIMEOUT)
        except (OSError, ValueError) as error:
            raise UserError(
                f"cannot reach the Dask scheduler at {address} within "
                f"{DASK_CONNECT_TIMEOUT:g} s ({error}); check the address and that the "
                "scheduler is running"
            ) from None
        stack.callback(client.close)
        try:
            client.wait_for_workers(1, timeout=DASK_WORKER_TIMEOUT)
        except TimeoutError:
            raise UserError(
                f"the Dask scheduler at {address} has no workers (waited "
                f"{DASK_WORKER_TIMEOUT:g} s); start some with: dask worker {address}"
            ) from None
        except (CancelledError, OSError) as error:
            raise _lost(address, error) from None
        yield client, address


def _lost(address: str, error: BaseException) -> UserError:
    return UserError(
        f"lost the connection to the Dask scheduler at {address} ({type(error).__name__}); "
        "finished chunks are kept: run the sweep again with --resume"
    )


def _dask(client: Any, address: str, tasks: Iterable[Task]) -> Iterator[tuple[int, Any]]:
    """Run ``tasks`` on a Dask cluster, at most two per worker in flight.

    Nothing waits on the cluster for longer than :data:`DASK_POLL` seconds without
    checking it: a cluster with no worker for :data:`DASK_WORKER_TIMEOUT` seconds, or a
    lost scheduler, is a :class:`UserError`.
    """
    from dask.distributed import wait as dask_wait

    watch = _Workers(client, address)
    pending: set[Any] = set()

    def finished() -> list[Any]:
        nonlocal pending
        while True:
            try:
                done, pending = dask_wait(pending, timeout=DASK_POLL, return_when=FIRST_COMPLETED)
            except TimeoutError:
                watch.check()
                continue
            return list(done)

    def result(future: Any) -> Any:
        while True:  # a finished result may be lost with its worker and wait to be redone
            try:
                return future.result(timeout=DASK_POLL)
            except TimeoutError:
                watch.check()

    try:
        for task in tasks:
            pending.add(client.submit(_evaluate, task, pure=False))
            while len(pending) >= 2 * max(1, watch.count()):
                for future in finished():
                    yield result(future)
        while pending:
            for future in finished():
                yield result(future)
    except (CancelledError, OSError) as error:
        raise _lost(address, error) from None


class _Workers:
    """Watches a Dask cluster's workers while a sweep waits on it."""

    def __init__(self, client: Any, address: str) -> None:
        self.client, self.address = client, address
        self.idle_since: float | None = None

    def count(self) -> int:
        """Workers of the cluster (0 while the client reconnects); raise if it is gone."""
        status = self.client.status
        if status in ("closing", "closed", "failed"):
            raise CancelledError(f"the client is {status}")
        if status != "running":
            return 0
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    def check(self) -> None:
        """Raise :class:`UserError` once the cluster has had no worker for too long."""
        if self.count():
            self.idle_since = None
        elif self.idle_since is None:
            self.idle_since = time.monotonic()
        elif time.monotonic() - self.idle_since > DASK_WORKER_TIMEOUT:
            raise UserError(
                f"the Dask cluster at {self.address} has had no workers for "
                f"{DASK_WORKER_TIMEOUT:g} s; finished chunks are kept: start workers and run "
                "the sweep again with --resume"
            )
