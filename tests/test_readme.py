"""The README's examples run as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S)
COMMANDS = [
    line.split("#")[0].strip()
    for lang, body in BLOCKS
    if lang == ""
    for line in body.splitlines()
    if "kurilsim " in line
]


def test_python_examples_run():
    blocks = [body for lang, body in BLOCKS if lang == "python"]
    assert blocks
    for body in blocks:
        exec(compile(body, "README.md", "exec"), {})


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One folder for all commands, run in README order (a later one may read an earlier
    one's output)."""
    path = tmp_path_factory.mktemp("readme")
    (path / "scenarios").symlink_to(ROOT / "scenarios")
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_command_examples_run(command, workdir):
    tmp_path = workdir
    bin_dir = Path(sys.executable).parent
    command = command.replace(".venv/bin/kurilsim", "kurilsim")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
