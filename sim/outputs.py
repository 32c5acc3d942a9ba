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
Nothing left by a failure
    A command that fails before it recorded any file leaves the folder as it found it:
    the record it created is removed, and so is the folder if it made it.

The record is a plain JSON file so that a user can see what kurilsim will consider its
own. Folders inside an output folder (a sweep's ``chunks/``, a briefing pack's
``sweep/``) are recorded by name with a trailing ``/`` and carry their own records.

A name can also be *claimed* (recorded as ``"claimed"``, without a stamp): kurilsim is
writing it, and whatever file has that name is kurilsim's. :meth:`OutputFolder.writing`
claims a name just before renaming the new file into place and records its stamp just
after, so that a command killed between the two still recognises the file as its own.
A sweep claims the names of all its chunk files when it starts (their content is proved
by the sweep's manifest, which holds each finished chunk's SHA-256).
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

from sim.atomic import atomic_path, temporary_name
from sim.errors import UserError

LOCK = ".kurilsim.lock"
RECORD = ".kurilsim-files.json"
_OURS = frozenset({LOCK, RECORD})
CLAIMED = "claimed"
"""Record entry of a name kurilsim writes whose content the record does not hold."""
_TMP = re.compile(r"^\.(?P<stem>.*)\.tmp(?P<pid>\d+)(-\d+)?(?P<suffix>(\.[^.]*)?)$")
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
        self._files: dict[str, FileStamp | str | None] = {}
        self._made: list[Path] = []  # folders this object created, innermost first
        self._made_record = False
        self._forced = False  # the folder held other files when its record was made
        self.needs: int | None = None
        """Bytes the command still needs to write (named in a disk-full message)."""
        self.again = "run the command again"
        """How to continue after a disk-full error (named in its message)."""

    # -- opening and closing --------------------------------------------------------------

    def __enter__(self) -> OutputFolder:
        self._create()
        try:
            self._lock()
        except BaseException:
            self._undo()
            raise
        try:
            self._read_record()
        except BaseException:
            self._unlock()
            self._undo()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._unlock()
        if error is not None and not self._files:
            self._undo()

    @property
    def is_open(self) -> bool:
        """Whether this object holds the folder's lock (inside its ``with`` block)."""
        return self._lock_fd is not None

    def _create(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise UserError(
                "cannot create the folder: a file of that name exists and is not a folder; "
                "choose another output folder",
                source=str(self),
            )
        missing = [p for p in (self.path, *self.path.parents) if not p.exists()]
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(
                f"cannot create the folder ({error.strerror})", source=str(self)
            ) from None
        self._made = missing

    def _undo(self) -> None:
        """Leave the folder as it was found: remove the record and folders this object made."""
        if self._made_record:
            (self.path / RECORD).unlink(missing_ok=True)
            self._made_record = False
        for folder in self._made:
            try:
                folder.rmdir()
            except OSError:
                break
        self._made = []

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
                    name: stamp if stamp is None or stamp == CLAIMED else FileStamp(**stamp)
                    for name, stamp in data["files"].items()
                }
                self._forced = bool(data.get("forced", False))
            except (ValueError, KeyError, TypeError, AttributeError):
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
        self._forced = bool(foreign)
        self._save_record()
        self._made_record = True

    def _save_record(self) -> None:
        data = {
            "about": "Files kurilsim wrote in this folder; it replaces or removes only these.",
            "command": self.command,
            "forced": self._forced,
            "files": {
                name: stamp.__dict__ if isinstance(stamp, FileStamp) else stamp
                for name, stamp in sorted(self._files.items())
            },
        }
        try:
            with atomic_path(self.path / RECORD) as tmp:
                tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        except OSError as error:
            raise self.disk_error(error) from None

    def disk_error(self, error: OSError) -> UserError:
        """:func:`disk_error` for this folder, with :attr:`needs` and :attr:`again`."""
        return disk_error(error, self.path, self.needs, again=self.again)

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
        if not target.is_file() or target.is_symlink():
            return False
        return stamp == CLAIMED or (isinstance(stamp, FileStamp) and stamp.matches(target))

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

    def stamp(self, name: str) -> FileStamp | None:
        """The recorded stamp of file ``name`` (None if it has none)."""
        stamp = self._files.get(name)
        return stamp if isinstance(stamp, FileStamp) else None

    def temporary(self, name: str) -> Path:
        """A free temporary path to write ``name`` to, after checking ``name`` is free or ours.

        Hand it to :meth:`place` when it is written (or remove it).
        """
        path = self.target(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temporary_name(path)
        if self._forced and path.parent == self.path:
            # Beside the user's files a leftover is ours only if its own name is recorded.
            self._files[tmp.name] = CLAIMED
            self._save_record()
        return tmp

    def place(self, name: str, tmp: Path) -> None:
        """Rename the written temporary file ``tmp`` onto ``name`` and record it.

        The name is claimed in the record just before the rename, so a command killed
        between the rename and the record still owns the file. A failed write raises
        :class:`UserError` (:meth:`disk_error`) and leaves the old file and its record.
        """
        path = self.target(name)
        before = self._files.get(name, _ABSENT)
        try:
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            if before != CLAIMED:
                self._files[name] = CLAIMED
                self._save_record()
            os.replace(tmp, path)
        except OSError as error:
            self._restore(name, before)
            raise self.disk_error(error) from None
        except UserError:
            self._restore(name, before)
            raise
        self._files.pop(tmp.name, None)
        self.record(name)

    @contextmanager
    def writing(self, name: str) -> Iterator[Path]:
        """Yield a temporary path for ``name``; rename it into place and record it."""
        tmp = self.temporary(name)
        try:
            yield tmp
            self.place(name, tmp)
        except OSError as error:
            raise self.disk_error(error) from None
        finally:
            self.discard(tmp)

    def discard(self, tmp: Path) -> None:
        """Remove an unused temporary file from :meth:`temporary` (and forget its name)."""
        if tmp.is_file() and not tmp.is_symlink():
            tmp.unlink(missing_ok=True)
        if self._files.pop(tmp.name, None) is not None:
            with contextlib.suppress(UserError):
                self._save_record()

    def _restore(self, name: str, before: object) -> None:
        """Put back the record entry of ``name`` after a failed write (best effort)."""
        if self._files.get(name, _ABSENT) is before:
            return
        if before is _ABSENT:
            self._files.pop(name, None)
        else:
            self._files[name] = before  # type: ignore[assignment]
        with contextlib.suppress(UserError):
            self._save_record()

    def claim(self, names: list[str]) -> None:
        """Claim ``names`` (one write of the record): kurilsim is about to write them.

        A name that exists and is not kurilsim's is refused (:meth:`target`).
        """
        new = [name for name in names if name not in self._files]
        for name in new:
            self.target(name)
        if new:
            self._files.update(dict.fromkeys(new, CLAIMED))
            self._save_record()

    def write_text(self, name: str, text: str) -> Path:
        """Write ``text`` to ``name`` atomically and record it."""
        with self.writing(name) as tmp:
            tmp.write_text(text, encoding="utf-8")
        return self.path / name

    def write_bytes(self, name: str, data: bytes) -> Path:
        """Write ``data`` to ``name`` atomically and record it."""
        with self.writing(name) as tmp:
            tmp.write_bytes(data)
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
        before = dict(self._files)
        removed = self._remove(name)
        if self._files != before:
            self._save_record()
        return removed

    def _remove(self, name: str) -> bool:
        """:meth:`remove` without saving the record."""
        path = self.path / name
        if not self.owns(name):
            if name in self._files and not path.exists() and not path.is_symlink():
                del self._files[name]  # gone already: forget it
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
        return True

    def clear(self, keep: frozenset[str] = frozenset()) -> list[str]:
        """Remove every recorded file except ``keep``; return those kept as a user changed them.

        The record is written once, at the end.
        """
        kept = []
        before = dict(self._files)
        try:
            for name in list(self._files):
                if name in keep:
                    continue
                if not self._remove(name) and (self.path / name).exists():
                    kept.append(name)
        finally:
            if self._files != before:
                self._save_record()
        return kept

    def remove_leftovers(self, expected: frozenset[str] = frozenset()) -> None:
        """Delete temporary files of killed writers, for names recorded or ``expected``.

        Only regular files named ``.<stem>.tmp<pid>[-n]<suffix>`` whose writer process is
        gone are removed, and of those only the ones whose ``<stem><suffix>`` is such a
        name; in a folder that held the user's files when kurilsim first wrote there
        (``--force``), only those whose own temporary name is recorded.
        """
        names = set(self._files) | set(expected) | {RECORD}
        forget = []
        for entry in self.path.iterdir():
            match = _TMP.match(entry.name)
            if match is None or not entry.is_file() or entry.is_symlink():
                continue
            original = match["stem"] + match["suffix"]
            ours = entry.name in self._files or (not self._forced and original in names)
            if ours and not _alive(int(match["pid"])):
                entry.unlink(missing_ok=True)
                forget.append(entry.name)
        if any(self._files.pop(name, None) is not None for name in forget):
            self._save_record()


def disk_error(
    error: OSError, folder: Path, need: int | None = None, *, again: str = "run the command again"
) -> UserError:
    """A :class:`UserError` for a failed write (a full disk says how much is free and needed).

    Parameters
    ----------
    error : OSError
        The failed write.
    folder : Path
        The folder written into (named in the message).
    need : int, optional
        Bytes still to write, where the command can estimate them.
    again : str
        How to continue once there is space, e.g. "run it again with --resume".
    """
    if is_disk_full(error):
        try:
            free = f"{format_size(shutil.disk_usage(folder).free)} free"
        except OSError:
            free = "no space left"
        wanted = f"; about {format_size(need)} needed" if need else ""
        return UserError(
            f"the disk is full ({free}{wanted}); free some space and {again} "
            "(finished work is kept)",
            source=str(folder),
        )
    return UserError(f"cannot write into the folder ({error.strerror})", source=str(folder))


def is_disk_full(error: OSError) -> bool:
    """Whether ``error`` says the disk (or the user's quota) is full."""
    return error.errno in (errno.ENOSPC, errno.EDQUOT)


def format_size(n: int) -> str:
    """Bytes in words, in powers of 1000.

    Examples
    --------
    >>> format_size(2_500_000), format_size(512)
    ('2.5 MB', '512 bytes')
    """
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


_ABSENT = object()


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
