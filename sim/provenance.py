"""Where a result comes from: the scenario, the overrides, the sweep, the version, the date.

Every briefing pack (``summary.md``, the first page of ``brief.pdf`` and its metadata),
every ``kurilsim run --json`` and every sweep manifest carries a :class:`Provenance`, so
that a reader can tell a pack made with ``--set actors.russia.nationalist_cost=9`` from
the baseline's, and rebuild it. The scenario hash is the SHA-256 of the merged,
validated scenario (after ``extends`` and overrides), so two files that resolve to the
same scenario share it and any change of a number changes it.

The date is the current UTC time, or ``SOURCE_DATE_EPOCH`` when that variable is set
(the reproducible-builds convention), so that a pack can be rebuilt byte for byte.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sim.model.scenario import Scenario


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the merged, validated scenario (hex)."""
    return hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()


def now() -> datetime:
    """The time to stamp results with: ``SOURCE_DATE_EPOCH`` if set, else now (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


@dataclass(frozen=True)
class SweepInfo:
    """How a sweep was drawn: method, number of draws, seed."""

    method: str
    draws: int
    seed: int


@dataclass(frozen=True)
class Provenance:
    """The origin of one result.

    Attributes
    ----------
    scenario : str
        The scenario's name (``[scenario] name``).
    file : str
        The scenario file as given (or the shipped scenario it resolved to).
    overrides : tuple of (str, str)
        ``--set`` overrides in the order given, values as written.
    scenario_sha256 : str
        Hash of the merged scenario (:func:`scenario_hash`).
    version : str
        kurilsim's version.
    created : str
        ISO 8601 date and time (UTC).
    sweep : SweepInfo or None
        The sweep behind the result, if any.
    """

    scenario: str
    file: str
    overrides: tuple[tuple[str, str], ...]
    scenario_sha256: str
    version: str
    created: str
    sweep: SweepInfo | None = None

    @classmethod
    def of(
        cls,
        scenario: Scenario,
        file: str | os.PathLike[str],
        overrides: Mapping[str, Any] | None = None,
    ) -> Provenance:
        """The provenance of ``scenario`` loaded from ``file`` with ``overrides``."""
        from sim import __version__

        return cls(
            scenario=scenario.scenario.name,
            file=str(file),
            overrides=tuple((k, _written(v)) for k, v in (overrides or {}).items()),
            scenario_sha256=scenario_hash(scenario),
            version=__version__,
            created=now().isoformat(),
        )

    def with_sweep(self, method: str, draws: int, seed: int) -> Provenance:
        """The same provenance, with the sweep that produced the result."""
        return replace(self, sweep=SweepInfo(method, draws, seed))

    @property
    def title(self) -> str:
        """The scenario's name, marked when overrides changed it.

        Examples
        --------
        >>> p = Provenance("baseline_2003", "b.toml", (("a.b", "9"),), "ab" * 32, "0.2", "now")
        >>> p.title
        'baseline_2003 with a.b = 9'
        """
        if not self.overrides:
            return self.scenario
        changes = ", ".join(f"{k} = {v}" for k, v in self.overrides)
        if len(self.overrides) > 2:
            changes = f"{len(self.overrides)} overrides"
        return f"{self.scenario} with {changes}"

    def lines(self) -> list[str]:
        """The provenance in a few lines of plain words (summary, PDF page 1)."""
        overrides = "; ".join(f"{k} = {v}" for k, v in self.overrides) or "none"
        out = [
            f"Scenario {self.scenario} from {self.file}; overrides: {overrides}.",
        ]
        if self.sweep is not None:
            out.append(
                f"Sweep: {self.sweep.method}, {self.sweep.draws:,} draws, seed {self.sweep.seed}."
            )
        out.append(
            f"kurilsim {self.version}, {self.created}; scenario hash "
            f"{self.scenario_sha256[:12]} (SHA-256 of the merged scenario)."
        )
        return out

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "scenario": self.scenario,
            "file": self.file,
            "overrides": {k: v for k, v in self.overrides},
            "scenario_sha256": self.scenario_sha256,
            "kurilsim_version": self.version,
            "created": self.created,
            "sweep": None
            if self.sweep is None
            else {"method": self.sweep.method, "draws": self.sweep.draws, "seed": self.sweep.seed},
        }


def _written(value: Any) -> str:
    """An override value as the user wrote it (strings stay as given)."""
    return value if isinstance(value, str) else repr(value)
