"""Output folders: an exclusive lock, and a record of every file kurilsim wrote there.

Every command that writes into a folder the user names (``sweep -o``, ``sensitivity -o``,
``brief -o``) opens it as an :class:`OutputFolder`. Three promises follow:

One writer at a time
    The folder is locked with :func:`fcntl.flock` on ``.kurilsim.lock``, which holds the
    owner's process id, host and command. The kernel releases the lock when its owner
    dies, so a lock left by a killed run is stale by construction and the next run takes
    it; a second run while the first is alive stops with exit status 2 naming the owner.
Nothing of the user's is touched
    ``.kurilsim-files.json`` records each file kurilsim wrote (size, modification time
    and SHA-256). A command replaces or removes only files in that record whose content
    is still what kurilsim wrote; a file the user made, or changed since, is never
    overwritten (the command stops and names it). A folder that is not empty and holds
    no record is not one of ours: it is refused unless the user passes ``--force``, and
    even then only new names are written.
Nothing half-written
    Files are written under a temporary name and renamed into place
    (:mod:`sim.atomic`); temporary files are removed only when their name is that of a
    file this folder records or is about to write, and their writer is gone.

The record is a plain JSON file so that a user can see what kurilsim will consider its
own. Folders inside an output folder (a sweep's ``chunks/``, a briefing pack's
``sweep/``) are recorded by name with a trailing ``/`` and carry their own records.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sim.atomic import atomic_path
from sim.errors import UserError

LOCK = ".kurilsim.lock"
RECORD = ".kurilsim-files.json"
_OURS = frozenset({LOCK, RECORD})
_TMP = re.compile(r"^\.(?P<stem>.*)\.tmp(?P<pid>\d+)(?P<suffix>(\.[^.]*)?)$")
_HASH_BLOCK = 1 << 20


@dataclass(frozen=True)
class FileStamp:
    """What kurilsim wrote: size, modification time (ns) and SHA-256 of a file."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> FileStamp:
        stat = path.stat()
        return cls(stat.st_size, stat.st_mtime_ns, _sha256(path))

    def matches(self, path: Path) -> bool:
        """Whether ``path`` still holds what was recorded (hashing only if the stat moved)."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return False
        if stat.st_size != self.size:
            return False
        if stat.st_mtime_ns == self.mtime_ns:
            return True
        return _sha256(path) == self.sha256


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class OutputFolder:
    """A folder kurilsim writes into, locked and with a record of its files.

    Use it as a context manager::

        with OutputFolder(Path("brief"), command="brief") as out:
            with out.writing("summary.md") as tmp:
                tmp.write_text(text)

    Parameters
    ----------
    path : Path
        The folder; created if missing (with its parents).
    command : str
        What is writing (recorded in the lock and the record).
    force : bool
        Accept a non-empty folder that kurilsim did not make; its files are still never
        overwritten.
    """

    def __init__(self, path: str | os.PathLike[str], *, command: str, force: bool = False):
        self.path = Path(path)
        self.command = command
        self.force = force
        self._lock_fd: int | None = None
        self._files: dict[str, FileStamp | None] = {}

    # -- opening and closing --------------------------------------------------------------

    def __enter__(self) -> OutputFolder:
        self._create()
        self._lock()
        try:
            self._read_record()
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._unlock()

    def _create(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise UserError("exists and is not a folder; choose an output folder", source=str(self))
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(
                f"cannot create the folder ({error.strerror})", source=str(self)
            ) from None

    def _lock(self) -> None:
        lock = self.path / LOCK
        for _ in range(10):
            try:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as error:
                raise UserError(
                    f"cannot write into the folder ({error.strerror})", source=str(self)
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                os.close(fd)
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                raise UserError(
                    f"another kurilsim is writing into this folder ({_describe_lock(lock)}); "
                    "wait for it to finish or choose another output folder",
                    source=str(self),
                ) from None
            # The owner may have removed the file between our open and our lock.
            if _same_file(fd, lock):
                self._lock_fd = fd
                os.ftruncate(fd, 0)
                owner = {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "command": self.command,
                    "since": time.strftime("%Y-%m-%d %H:%M:%S"),
                }
                os.write(fd, (json.dumps(owner) + "\n").encode())
                return
            os.close(fd)
        raise UserError("could not lock the folder", source=str(self))  # pragma: no cover

    def _unlock(self) -> None:
        if self._lock_fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            (self.path / LOCK).unlink()
        os.close(self._lock_fd)
        self._lock_fd = None

    def _read_record(self) -> None:
        record = self.path / RECORD
        if record.is_file():
            try:
                data = json.loads(record.read_text(encoding="utf-8"))
                self._files = {
                    name: None if stamp is None else FileStamp(**stamp)
                    for name, stamp in data["files"].items()
                }
            except (ValueError, KeyError, TypeError):
                raise UserError(
                    f"the record of kurilsim's files ({RECORD}) is damaged; remove the folder's "
                    "kurilsim files by hand or choose another output folder",
                    source=str(self),
                ) from None
            return
        foreign = [p.name for p in self.path.iterdir() if p.name not in _OURS]
        if foreign and not self.force:
            shown = ", ".join(sorted(foreign)[:3]) + (" …" if len(foreign) > 3 else "")
            raise UserError(
                f"the folder is not empty and kurilsim did not make it ({shown}); choose an "
                "empty or new folder, or add --force to write beside those files (they are "
                "never overwritten)",
                source=str(self),
            )
        self._save_record()

    def _save_record(self) -> None:
        data = {
            "about": "Files kurilsim wrote in this folder; it replaces or removes only these.",
            "command": self.command,
            "files": {
                name: None if stamp is None else stamp.__dict__
                for name, stamp in sorted(self._files.items())
            },
        }
        try:
            with atomic_path(self.path / RECORD) as tmp:
                tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        except OSError as error:
            raise disk_error(error, self.path) from None

    def __str__(self) -> str:
        return str(self.path)

    # -- what is ours -------------------------------------------------------------------

    def owns(self, name: str) -> bool:
        """Whether ``name`` (relative; a folder ends in ``/``) is recorded and unchanged."""
        if name not in self._files:
            return False
        stamp = self._files[name]
        target = self.path / name
        if stamp is None:
            return target.is_dir()
        return target.is_file() and stamp.matches(target)

    @property
    def files(self) -> tuple[str, ...]:
        """Names of the files and folders recorded as kurilsim's, sorted."""
        return tuple(sorted(self._files))

    def target(self, name: str) -> Path:
        """The path to write ``name`` to; :class:`UserError` if that would clobber a user's file.

        A missing name is free; an existing one must be a file kurilsim wrote and nobody
        changed since.
        """
        path = self.path / name
        if not path.exists() and not path.is_symlink():
            return path
        if name.endswith("/") or path.is_dir():
            if self._files.get(name.rstrip("/") + "/", "missing") is None:
                return path
            raise UserError(
                "is a folder kurilsim did not make; move it or choose another output folder",
                source=str(path),
            )
        if name in self._files and self.owns(name):
            return path
        how = "was changed since kurilsim wrote it" if name in self._files else "is not kurilsim's"
        raise UserError(
            f"would be overwritten, but it {how}; move it or choose another output folder",
            source=str(path),
        )

    @contextmanager
    def writing(self, name: str) -> Iterator[Path]:
        """Yield a temporary path for ``name``; rename it into place and record it."""
        path = self.target(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with atomic_path(path) as tmp:
                yield tmp
        except OSError as error:
            raise disk_error(error, self.path) from None
        self.record(name)

    def write_text(self, name: str, text: str) -> Path:
        """Write ``text`` to ``name`` atomically and record it."""
        with self.writing(name) as tmp:
            tmp.write_text(text, encoding="utf-8")
        return self.path / name

    def record(self, name: str) -> None:
        """Record ``name`` (already written by kurilsim, e.g. by a worker process)."""
        path = self.path / name
        self._files[name] = None if name.endswith("/") else FileStamp.of(path)
        self._save_record()

    def record_many(self, names: list[str]) -> None:
        """Record several files at once (one write of the record)."""
        for name in names:
            path = self.path / name
            self._files[name] = None if name.endswith("/") else FileStamp.of(path)
        self._save_record()

    def subfolder(self, name: str, *, command: str | None = None) -> OutputFolder:
        """A folder inside this one, recorded as kurilsim's (open it with ``with``)."""
        name = name.rstrip("/") + "/"
        self.target(name)
        if name not in self._files:
            (self.path / name).mkdir(exist_ok=True)
            self.record(name)
        return OutputFolder(self.path / name, command=command or self.command)

    def remove(self, name: str) -> bool:
        """Remove ``name`` if it is kurilsim's and unchanged; whether it was removed."""
        path = self.path / name
        if not self.owns(name):
            if name in self._files and not path.exists():
                del self._files[name]  # gone already: forget it
                self._save_record()
            return False
        if name.endswith("/"):
            with OutputFolder(path, command=self.command) as inner:
                inner.clear()
                if {p.name for p in path.iterdir()} <= _OURS:
                    (path / RECORD).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                path.rmdir()
            if path.exists():
                return False
        else:
            path.unlink()
        del self._files[name]
        self._save_record()
        return True

    def clear(self, keep: frozenset[str] = frozenset()) -> list[str]:
        """Remove every recorded file except ``keep``; return those kept as a user changed them."""
        kept = []
        for name in list(self._files):
            if name in keep:
                continue
            if not self.remove(name) and (self.path / name).exists():
                kept.append(name)
        return kept

    def remove_leftovers(self, expected: frozenset[str] = frozenset()) -> None:
        """Delete temporary files of killed writers, for names recorded or ``expected``.

        Only regular files named ``.<stem>.tmp<pid><suffix>`` whose ``<stem><suffix>`` is
        such a name and whose writer process is gone are removed.
        """
        names = set(self._files) | set(expected)
        for entry in self.path.iterdir():
            match = _TMP.match(entry.name)
            if match is None or not entry.is_file() or entry.is_symlink():
                continue
            original = match["stem"] + match["suffix"]
            if original in names and not _alive(int(match["pid"])):
                entry.unlink(missing_ok=True)


def disk_error(error: OSError, folder: Path, need: int | None = None) -> UserError:
    """A :class:`UserError` for a failed write (a full disk says how much is free)."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        free = shutil.disk_usage(folder).free
        wanted = f"; about {_size(need)} needed" if need else ""
        return UserError(
            f"the disk is full ({_size(free)} free{wanted}); free some space and run the "
            "command again (finished work is kept)",
            source=str(folder),
        )
    return UserError(f"cannot write into the folder ({error.strerror})", source=str(folder))


def _size(n: int) -> str:
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"  # pragma: no cover


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), path.stat()
    except FileNotFoundError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _describe_lock(lock: Path) -> str:
    try:
        owner: dict[str, Any] = json.loads(lock.read_text(encoding="utf-8"))
        return (
            f"'{owner.get('command', '?')}' as process {owner.get('pid', '?')} on "
            f"{owner.get('host', '?')} since {owner.get('since', '?')}"
        )
    except (OSError, ValueError):
        return "owner unknown"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


MARK = b"kurilsim"
"""Written into every chart and game file kurilsim saves (PNG/SVG/PDF metadata, file
comments), so that a later run can tell its own file from a user's."""


def single_file(path: str | os.PathLike[str], suffixes: tuple[str, ...]) -> Path:
    """Check a file a command was asked to write; return it as a :class:`Path`.

    The name must end in one of ``suffixes``; its folder must exist and be writable; an
    existing file is replaced only if kurilsim wrote it (it carries :data:`MARK`).

    Raises
    ------
    UserError
        Naming the file and what was expected.
    """
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        raise UserError(f"expected a file name ending in {', '.join(suffixes)}", source=str(target))
    folder = target.parent
    if not folder.is_dir():
        raise UserError(f"the folder {folder} does not exist", source=str(target))
    if not os.access(folder, os.W_OK):
        raise UserError(f"the folder {folder} is not writable", source=str(target))
    if target.is_dir():
        raise UserError("is a folder; expected a file name", source=str(target))
    if target.exists() and not _marked(target):
        raise UserError(
            "exists and was not written by kurilsim; choose another name or move it",
            source=str(target),
        )
    return target


def _marked(path: Path) -> bool:
    """Whether the file's first or last 64 KiB hold :data:`MARK`."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
            handle.seek(max(0, path.stat().st_size - (1 << 16)))
            tail = handle.read()
    except OSError:
        return False
    return MARK in head or MARK in tail
