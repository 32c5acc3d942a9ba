"""Fixtures: paths to the shipped scenarios and a helper to write scenario files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline_2003.toml"


@pytest.fixture
def baseline_path() -> Path:
    return BASELINE


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write ``text`` to ``tmp_path/name`` and return the path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def extending_baseline(body: str) -> str:
    """Scenario text that extends the shipped baseline, then ``body``."""
    return f'extends = "{BASELINE.as_posix()}"\n{body}'
