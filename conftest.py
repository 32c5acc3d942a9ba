"""Test configuration shared by the test suite and the doctests in ``sim/``."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _run_from_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Examples refer to ``scenarios/…`` relative to the project root."""
    monkeypatch.chdir(ROOT)
