"""A pip user: install the wheel into a fresh virtual environment, then work from any folder.

The wheel is built from this tree and installed offline (``--no-index --no-deps``); the
dependencies come from the test environment through a ``.pth`` file, so that the test
needs no network. The new environment sees none of this checkout: it runs the installed
package from an unrelated folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _run(args: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, **kwargs
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``bin/`` of a fresh venv holding the wheel built from this tree."""
    base = tmp_path_factory.mktemp("install")
    wheels = base / "wheels"
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        cwd=base,
    )
    assert built.returncode == 0, built.stderr
    venv = base / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], cwd=base).returncode == 0
    site = Path(
        _run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ],
            cwd=base,
        ).stdout.strip()
    )
    (site / "test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    (wheel,) = wheels.glob("kurilsim-*.whl")
    done = _run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--no-deps",
            str(wheel),
        ],
        cwd=base,
    )
    assert done.returncode == 0, done.stderr
    return venv / "bin"


def test_the_installed_package_is_the_wheel_not_this_checkout(installed, tmp_path):
    done = _run([str(installed / "python"), "-c", "import sim; print(sim.__file__)"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert str(ROOT) not in done.stdout and "site-packages" in done.stdout


def test_init_then_brief_from_another_folder(installed, tmp_path):
    kurilsim = str(installed / "kurilsim")
    init = _run([kurilsim, "init", "scenarios"], tmp_path)
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "scenarios" / "baseline_2003.toml").is_file()
    assert len(list((tmp_path / "scenarios" / "history").glob("*.toml"))) == 12
    brief = _run(
        [
            kurilsim,
            "brief",
            "scenarios/baseline_2003.toml",
            "-o",
            "pack",
            "--samples",
            "200",
            "--quiet",
            "--workers",
            "1",
            "--no-svg",
        ],
        tmp_path,
    )
    assert brief.returncode == 0, brief.stderr
    summary = (tmp_path / "pack" / "summary.md").read_text()
    assert "## Bottom line" in summary
    assert f"episodes in {Path('scenarios') / 'history'}" in summary
    assert (tmp_path / "pack" / "history.png").is_file()


def test_brief_of_the_shipped_baseline_by_name_uses_the_shipped_history(installed, tmp_path):
    brief = _run(
        [
            str(installed / "kurilsim"),
            "brief",
            "baseline_2003",
            "-o",
            "pack",
            "--samples",
            "200",
            "--quiet",
            "--workers",
            "1",
            "--no-svg",
        ],
        tmp_path,
    )
    assert brief.returncode == 0, brief.stderr
    assert "using the shipped baseline_2003.toml" in brief.stderr
    summary = (tmp_path / "pack" / "summary.md").read_text()
    assert "12 episodes shipped with kurilsim" in summary
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack"]


def test_version_of_the_installed_command(installed, tmp_path):
    from sim import __version__

    done = _run([str(installed / "kurilsim"), "--version"], tmp_path)
    assert done.stdout.strip() == f"kurilsim {__version__}"
