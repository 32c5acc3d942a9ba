"""The documentation works: its commands run, its Python runs, its reference is current.

* Every ```console block of a page: each line starting with ``kurilsim `` (or
  ``$ kurilsim ``) is run, in order, in one temporary folder per page that holds a
  symlink ``scenarios`` to the project's scenarios; each must exit 0. In a
  ```console-error block each command must exit 2 (a reported user error).
  Lines that do not start with a command are example output and are skipped.
* A ```toml block whose info string names a file (```toml title="name.toml") is
  written into that folder when it is reached, so later commands can use it.
* Every ```python block of a page runs, in order, in one namespace, from the
  project root.
* ``docs/generate_reference.py --check`` passes.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BIN = Path(sys.executable).parent

FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
TITLE = re.compile(r'title="([^"]+)"')


def _blocks(page: Path) -> list[tuple[str, str, str]]:
    """(language, info string, body) of every fenced block of a page, in order."""
    found = []
    for match in FENCE.finditer(page.read_text(encoding="utf-8")):
        info = match.group(1).strip()
        language = info.split()[0] if info else ""
        found.append((language, info, match.group(2)))
    return found


def _commands(body: str) -> list[str]:
    """The commands of a console block (backslash continuations joined)."""
    lines: list[str] = []
    pending = ""
    for raw in body.splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if line.startswith("$ "):
            line = line[2:].strip()
        if line.startswith("kurilsim "):
            lines.append(line)
    return lines


def _pages(*languages: str) -> list[Path]:
    return sorted(
        page
        for page in DOCS.rglob("*.md")
        if any(language in languages for language, _, _ in _blocks(page))
    )


def _id(page: Path) -> str:
    return str(page.relative_to(DOCS))


def test_docs_exist() -> None:
    for name in (
        "index.md",
        "tutorial.md",
        "reference/scenario-file.md",
        "reference/cli.md",
        "explanation/model.md",
        "explanation/solvers.md",
        "explanation/limits.md",
    ):
        assert (DOCS / name).is_file(), name
    assert len(list((DOCS / "how-to").glob("*.md"))) >= 6


@pytest.mark.parametrize("page", _pages("console", "console-error"), ids=_id)
def test_console_blocks(page: Path, tmp_path: Path) -> None:
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios", target_is_directory=True)
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    env["COLUMNS"] = "100"
    ran = 0
    for language, info, body in _blocks(page):
        if language == "toml" and TITLE.search(info):
            name = TITLE.search(info).group(1)  # type: ignore[union-attr]
            (tmp_path / name).write_text(body, encoding="utf-8")
            continue
        if language not in ("console", "console-error"):
            continue
        expected = 2 if language == "console-error" else 0
        for command in _commands(body):
            shlex.split(command)  # the command must be valid shell quoting
            done = subprocess.run(
                command,
                shell=True,
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == expected, (
                f"{_id(page)}: `{command}` exited {done.returncode}, expected {expected}\n"
                f"stdout:\n{done.stdout[-2000:]}\nstderr:\n{done.stderr[-2000:]}"
            )
            ran += 1
    assert ran, f"{_id(page)} has console blocks without a kurilsim command"


@pytest.mark.parametrize("page", _pages("python"), ids=_id)
def test_python_blocks(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for language, _, body in _blocks(page):
        if language == "python":
            exec(compile(body, f"{_id(page)}:python", "exec"), namespace)  # noqa: S102


def test_reference_is_current() -> None:
    done = subprocess.run(
        [sys.executable, str(DOCS / "generate_reference.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
