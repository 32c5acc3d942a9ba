"""Reference data on the four disputed islands.

The figures come from ``sim/data/islands.csv``, a copy of the rows of the
project's sourced data table that the model uses; every row keeps its
``source`` and ``status``. Areas are the Japanese government's (2020 GSI
survey, published by MOFA); centroids are approximate (the island map draws the
real coastlines of ``sim/data/coastlines.json`` instead).

The order of :data:`ISLAND_KEYS` (south-west to north-east) is the order of
every per-island array in the package.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import NDArray

ISLAND_KEYS: tuple[str, ...] = ("habomai", "shikotan", "kunashiri", "etorofu")
"""Island identifiers in the order of every per-island array."""


@dataclass(frozen=True)
class Island:
    """One disputed island (or islet group, for Habomai).

    Attributes
    ----------
    key : str
        Lower-case identifier used in scenario files (``habomai``).
    name : str
        Name as the Japanese government spells it (``Habomai``).
    area_km2 : float
        Area in km², Japanese government figure.
    population_1945 : int
        Japanese residents on 15 August 1945.
    lat, lon : float
        Approximate centroid in degrees.
    source : str
        Source of the area figure.
    """

    key: str
    name: str
    area_km2: float
    population_1945: int
    lat: float
    lon: float
    source: str


@dataclass(frozen=True)
class Landmark:
    """A point for orientation on maps (Cape Nosappu, Hokkaido)."""

    name: str
    lat: float
    lon: float


def _read_rows() -> list[dict[str, str]]:
    text = resources.files("sim.data").joinpath("islands.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _lat_lon(text: str) -> tuple[float, float]:
    lat, lon = (float(part) for part in text.split(","))
    return lat, lon


@functools.cache
def load_islands() -> tuple[Island, ...]:
    """Return the four islands in :data:`ISLAND_KEYS` order (read once, then cached)."""
    facts: dict[tuple[str, str], dict[str, str]] = {
        (row["island"], row["attribute"]): row for row in _read_rows()
    }
    islands = []
    for key in ISLAND_KEYS:
        name = key.capitalize()
        lat, lon = _lat_lon(facts[name, "centroid_lat_lon"]["value"])
        area = facts[name, "area_japan_gov"]
        islands.append(
            Island(
                key=key,
                name=name,
                area_km2=float(area["value"]),
                population_1945=int(facts[name, "population_1945_japanese"]["value"]),
                lat=lat,
                lon=lon,
                source=area["source"],
            )
        )
    return tuple(islands)


@functools.cache
def hokkaido_landmark() -> Landmark:
    """Cape Nosappu, the easternmost point of Hokkaido, for orientation on maps."""
    (row,) = [r for r in _read_rows() if r["attribute"] == "point_lat_lon"]
    lat, lon = _lat_lon(row["value"])
    return Landmark(name="Hokkaido (Cape Nosappu)", lat=lat, lon=lon)


def area_shares() -> NDArray[np.float64]:
    """Each island's share of the total disputed area, shape ``(4,)``, summing to 1."""
    areas = np.array([island.area_km2 for island in load_islands()])
    return areas / areas.sum()
