"""Output folders: one writer at a time, and nothing of the user's overwritten or removed."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from sim import UserError
from sim.outputs import LOCK, RECORD, OutputFolder


def test_a_new_folder_is_created_locked_and_recorded(tmp_path):
    folder = tmp_path / "a" / "b"
    with OutputFolder(folder, command="test") as out:
        assert (folder / LOCK).exists()
        out.write_text("x.txt", "hello")
        assert out.owns("x.txt")
    assert not (folder / LOCK).exists()
    record = json.loads((folder / RECORD).read_text())
    assert set(record["files"]) == {"x.txt"}


def test_a_users_non_empty_folder_is_refused_unless_forced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="not empty and kurilsim did not make it"):
        OutputFolder(tmp_path, command="test").__enter__()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    with OutputFolder(tmp_path, command="test", force=True) as out:
        out.write_text("summary.md", "ours")
        with pytest.raises(UserError, match="is not kurilsim's"):
            out.write_text("notes.txt", "clobber")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_file_the_user_changed_is_never_overwritten_or_removed(tmp_path):
    with OutputFolder(tmp_path, command="test") as out:
        out.write_text("summary.md", "ours")
    (tmp_path / "summary.md").write_text("edited by the user")
    with OutputFolder(tmp_path, command="test") as out:
        with pytest.raises(UserError, match="changed since kurilsim wrote it"):
            out.write_text("summary.md", "new")
        assert out.clear() == ["summary.md"]
    assert (tmp_path / "summary.md").read_text() == "edited by the user"


def test_clear_removes_only_recorded_files(tmp_path):
    with OutputFolder(tmp_path, command="test") as out:
        out.write_text("a.png", "1")
        out.write_text("b.png", "2")
    (tmp_path / "mine.txt").write_text("user")
    with OutputFolder(tmp_path, command="test") as out:
        out.clear(keep=frozenset({"b.png"}))
        assert out.files == ("b.png",)
    assert sorted(p.name for p in tmp_path.iterdir()) == [RECORD, "b.png", "mine.txt"]


def test_subfolders_are_recorded_and_removed_with_their_files(tmp_path):
    with OutputFolder(tmp_path, command="test") as out:
        with out.subfolder("sweep") as inner:
            inner.write_text("manifest.json", "{}")
        assert out.remove("sweep/")
    assert not (tmp_path / "sweep").exists()


def test_a_folder_of_the_users_inside_is_not_taken(tmp_path):
    (tmp_path / "sweep").mkdir()
    with (
        OutputFolder(tmp_path, command="test", force=True) as out,
        pytest.raises(UserError, match="folder kurilsim did not make"),
    ):
        out.subfolder("sweep")


def _hold(folder: str, ready, release) -> None:
    with OutputFolder(Path(folder), command="holder"):
        ready.set()
        release.wait(20)


def test_a_second_writer_is_refused_while_the_first_lives(tmp_path):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(tmp_path), ready, release))
    holder.start()
    try:
        assert ready.wait(20)
        with pytest.raises(UserError, match=r"another kurilsim .*'holder' as process"):
            OutputFolder(tmp_path, command="second").__enter__()
    finally:
        release.set()
        holder.join(20)
    with OutputFolder(tmp_path, command="second"):
        pass


def test_a_lock_left_by_a_killed_writer_is_stale(tmp_path):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(tmp_path), ready, release))
    holder.start()
    assert ready.wait(20)
    holder.kill()
    holder.join(20)
    assert (tmp_path / LOCK).exists()  # the dead writer's lock file is still there
    with OutputFolder(tmp_path, command="next") as out:
        out.write_text("x", "y")


def test_leftovers_are_removed_only_for_our_names_and_dead_writers(tmp_path):
    with OutputFolder(tmp_path, command="test") as out:
        out.write_text("summary.md", "ours")
    dead = 2**22 + 12345  # above the default pid_max: no such process
    ours = tmp_path / f".summary.tmp{dead}.md"
    theirs = tmp_path / f".notes.tmp{dead}.txt"
    live = tmp_path / f".summary.tmp{os.getppid()}.md"
    folder_like = tmp_path / f".summary.tmp{dead}.md.d"
    for path in (ours, theirs, live):
        path.write_text("partial")
    folder_like.mkdir()
    with OutputFolder(tmp_path, command="test") as out:
        out.remove_leftovers()
    assert not ours.exists()
    assert theirs.exists() and live.exists() and folder_like.is_dir()


def test_a_path_that_is_a_file_is_a_user_error(tmp_path):
    (tmp_path / "x").write_text("")
    with pytest.raises(UserError, match="not a folder"):
        OutputFolder(tmp_path / "x", command="test").__enter__()


def test_unchanged_file_is_recognised_without_rehashing(tmp_path, monkeypatch):
    with OutputFolder(tmp_path, command="test") as out:
        out.write_text("a", "1")
    calls = []
    import sim.outputs as outputs

    real = outputs._sha256
    monkeypatch.setattr(outputs, "_sha256", lambda p: calls.append(p) or real(p))
    with OutputFolder(tmp_path, command="test") as out:
        assert out.owns("a")
    assert calls == []
    time.sleep(0.01)
    os.utime(tmp_path / "a")  # touched, same content: still ours after a hash
    with OutputFolder(tmp_path, command="test") as out:
        assert out.owns("a")
    assert len(calls) == 1


def test_a_file_renamed_into_place_before_its_record_is_still_ours(tmp_path, monkeypatch):
    """A command killed between the rename and the record must still own the new file."""
    with OutputFolder(tmp_path, command="test") as out:
        out.write_text("manifest.json", "first")

    def killed(self, name):  # the process dies right after the rename
        raise KeyboardInterrupt

    monkeypatch.setattr(OutputFolder, "record", killed)
    with OutputFolder(tmp_path, command="test") as out, pytest.raises(KeyboardInterrupt):
        out.write_text("manifest.json", "second")
    monkeypatch.undo()
    assert (tmp_path / "manifest.json").read_text() == "second"
    with OutputFolder(tmp_path, command="test") as out:
        assert out.owns("manifest.json")
        out.write_text("manifest.json", "third")
    assert (tmp_path / "manifest.json").read_text() == "third"


def test_a_claimed_name_is_ours_whatever_it_holds(tmp_path):
    with OutputFolder(tmp_path, command="test") as out:
        out.claim(["chunk-000000.parquet", "chunk-000001.parquet"])
    (tmp_path / "chunk-000000.parquet").write_bytes(b"half a chunk")
    with OutputFolder(tmp_path, command="test") as out:
        assert out.owns("chunk-000000.parquet")
        assert out.remove("chunk-000000.parquet")
        assert not out.remove("chunk-000001.parquet")  # never written: forgotten
        assert out.files == ()


def test_claiming_a_users_file_is_refused(tmp_path):
    (tmp_path / "mine.parquet").write_text("user")
    with (
        OutputFolder(tmp_path, command="test", force=True) as out,
        pytest.raises(UserError, match="is not kurilsim's"),
    ):
        out.claim(["mine.parquet"])
    assert (tmp_path / "mine.parquet").read_text() == "user"


def test_a_failure_before_anything_is_recorded_leaves_no_trace(tmp_path):
    new = tmp_path / "a" / "b"
    with pytest.raises(RuntimeError), OutputFolder(new, command="test"):
        raise RuntimeError("the scheduler cannot be reached")
    assert not (tmp_path / "a").exists()
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(RuntimeError), OutputFolder(tmp_path, command="test", force=True):
        raise RuntimeError("failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_failure_after_a_file_was_recorded_keeps_the_folder(tmp_path):
    with pytest.raises(RuntimeError), OutputFolder(tmp_path / "out", command="test") as out:
        out.write_text("chunk", "finished work")
        raise RuntimeError("failed later")
    assert (tmp_path / "out" / "chunk").read_text() == "finished work"


def test_clear_writes_the_record_once(tmp_path, monkeypatch):
    with OutputFolder(tmp_path, command="test") as out:
        for i in range(20):
            out.write_text(f"{i}.txt", "x")
        saves = []
        real = OutputFolder._save_record
        monkeypatch.setattr(OutputFolder, "_save_record", lambda s: saves.append(1) or real(s))
        out.clear()
        assert out.files == ()
    assert len(saves) == 1


def test_a_folder_at_the_temporary_name_is_left_alone(tmp_path):
    from sim.atomic import atomic_path

    blocker = tmp_path / f".results.tmp{os.getpid()}.parquet"
    blocker.mkdir()
    with atomic_path(tmp_path / "results.parquet") as tmp:
        tmp.write_text("data")
    assert (tmp_path / "results.parquet").read_text() == "data"
    assert blocker.is_dir()


def test_beside_the_users_files_only_our_own_leftovers_are_removed(tmp_path):
    dead = 2**22 + 12345
    users = tmp_path / f".results.tmp{dead}.parquet"
    users.write_text("the user's own")
    with OutputFolder(tmp_path, command="test", force=True) as out:
        tmp = out.temporary("results.parquet")
        tmp.write_text("half written when the command was killed")
    with OutputFolder(tmp_path, command="test") as out:
        out.remove_leftovers(frozenset({"results.parquet"}))
        assert out.files == ()
    assert not tmp.exists()
    assert users.read_text() == "the user's own"
