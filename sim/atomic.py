"""Writing files so that a reader never sees half of one.

Every file the package writes goes through :func:`atomic_path`: the content is written
to a temporary file in the same folder (hidden, same suffix, so that writers that go by
the suffix still work), flushed to disk and renamed over the target with
:func:`os.replace`; on failure the temporary file is removed and an existing target is
left as it was. A process killed mid-write leaves at most a hidden ``.NAME.tmp*`` file,
which :func:`remove_leftovers` clears.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
    tmp = target.with_name(f".{target.stem}.tmp{os.getpid()}{target.suffix}")
    try:
        yield tmp
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)


def remove_leftovers(folder: str | os.PathLike[str]) -> None:
    """Delete temporary files a killed writer left in ``folder``."""
    for leftover in Path(folder).glob(".*.tmp*"):
        leftover.unlink(missing_ok=True)
