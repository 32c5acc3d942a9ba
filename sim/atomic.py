"""Writing files so that a reader never sees half of one.

Every file the package writes goes through :func:`atomic_path`: the content is written
to a temporary file in the same folder (hidden, same suffix, so that writers that go by
the suffix still work), flushed to disk and renamed over the target with
:func:`os.replace`; on failure the temporary file is removed and an existing target is
left as it was. A process killed mid-write leaves at most a hidden
``.STEM.tmpPID[-N]SUFFIX`` file; :meth:`sim.outputs.OutputFolder.remove_leftovers`
clears those of the files kurilsim writes (and only those, once their writer is gone).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def temporary_name(target: Path) -> Path:
    """A free temporary path beside ``target``: ``.STEM.tmpPID[-N]SUFFIX``.

    A name already taken (by a leftover, or by anything else) is skipped, never reused.
    """
    for n in itertools.count():
        tag = f"{os.getpid()}" if n == 0 else f"{os.getpid()}-{n}"
        tmp = target.with_name(f".{target.stem}.tmp{tag}{target.suffix}")
        if not tmp.exists() and not tmp.is_symlink():
            return tmp
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; rename it onto ``path`` when the block succeeds.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('done', ['a.txt'])
    """
    target = Path(path)
    tmp = temporary_name(target)
    try:
        yield tmp
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.is_file() and not tmp.is_symlink():
            tmp.unlink(missing_ok=True)


def write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
