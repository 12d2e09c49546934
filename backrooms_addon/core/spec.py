"""LevelSpec: the validated description of a level that every front end builds."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, fields
from typing import Any

from .errors import InvalidSpecError

SEED_MIN = -(1 << 63)
SEED_MAX = (1 << 64) - 1
ORIGIN_LIMIT = 1_000_000_000


@dataclass(frozen=True)
class Range:
    """Inclusive bounds of a numeric field, in the field's unit."""

    low: int | float
    high: int | float
    unit: str = ""
    integer: bool = False

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.integer:
            return f"an integer from {self.low} to {self.high}{unit}"
        return f"a number from {self.low:g} to {self.high:g}{unit}"


def _ints(low: int, high: int, unit: str = "") -> Range:
    return Range(low, high, unit, integer=True)


# One table drives validation, the CLI's --help and the panel's soft limits.
LIMITS: dict[str, Range] = {
    "seed": _ints(SEED_MIN, SEED_MAX),
    "width": _ints(1, 100_000, "cells"),
    "depth": _ints(1, 100_000, "cells"),
    "density": Range(0.0, 1.0),
    "cell_size": Range(1.0, 8.0, "m"),
    "wall_height": Range(2.2, 30.0, "m"),  # up to the tall walls of the Courtyard of Windows
    "wall_thickness": Range(0.02, 0.5, "m"),
    "origin_x": _ints(-ORIGIN_LIMIT, ORIGIN_LIMIT, "cells"),
    "origin_y": _ints(-ORIGIN_LIMIT, ORIGIN_LIMIT, "cells"),
    "chunk_size": _ints(4, 64, "cells"),
    "room_min": _ints(1, 64, "cells"),
    "room_max": _ints(1, 64, "cells"),
    "door_height": Range(1.8, 6.0, "m"),
    "baseboard_height": Range(0.0, 0.3, "m"),
    "piece_chunks": _ints(1, 16, "chunks"),
    "fixture_density": Range(0.0, 1.0),
    "dead_fraction": Range(0.0, 1.0),
    "flicker_fraction": Range(0.0, 1.0),
    "light_budget": _ints(0, 512, "lamps"),
    "wear": Range(0.0, 1.0),
    "dampness": Range(0.0, 1.0),
    "floors": _ints(1, 8, "floors"),
    "pitfall_density": Range(0.0, 0.5),
    "pool_density": Range(0.0, 1.0),
}

# What generating and showing one cell costs at most, layout, meshes and Blender's copy together
# (measured by benchmarks/bench_layout.py and bench_generate.py, with headroom), and the budget a
# single level may use. The world is endless: bigger areas are generated as several regions.
BYTES_PER_CELL = 1200
MEMORY_LIMIT_BYTES = 8 << 30


_INT_FIELDS = ("seed", "width", "depth", "chunk_size", "room_min", "room_max", "piece_chunks", "light_budget")


@dataclass(frozen=True)
class LevelSpec:
    """Everything that decides a level; equal specs give identical levels."""

    seed: int = 0
    width: int = 32
    depth: int = 32
    density: float = 0.6
    cell_size: float = 2.4
    wall_height: float = 2.8
    wall_thickness: float = 0.15
    origin: tuple[int, int] = (0, 0)
    algorithm: str = "backrooms"
    chunk_size: int = 16
    room_min: int = 2
    room_max: int = 8
    door_height: float = 2.1
    baseboard_height: float = 0.1
    piece_chunks: int = 4
    perimeter: bool = True
    fixture_density: float = 0.85
    dead_fraction: float = 0.05
    flicker_fraction: float = 0.04
    light_budget: int = 24
    hum: bool = True
    wallpaper_tint: str = "#CDB85E"  # sRGB
    wear: float = 0.5
    dampness: float = 0.5
    style: str = "LEVEL_0"  # the kind of level: materials, fixtures and features (core/styles.py)
    floors: int = 1
    pitfall_density: float = 0.0
    pool_density: float = 0.0

    def __post_init__(self) -> None:
        for name in (*_INT_FIELDS, "floors"):
            _check_int(name, getattr(self, name))
        for name in (
            "density",
            "cell_size",
            "wall_height",
            "wall_thickness",
            "door_height",
            "baseboard_height",
            "fixture_density",
            "dead_fraction",
            "flicker_fraction",
            "wear",
            "dampness",
            "pitfall_density",
            "pool_density",
        ):
            _check_float(name, getattr(self, name))
        _check_style(self.style)
        if not isinstance(self.wallpaper_tint, str) or not re.fullmatch(r"#[0-9A-Fa-f]{6}", self.wallpaper_tint):
            raise InvalidSpecError("wallpaper_tint", f"must be an sRGB colour #RRGGBB, got {self.wallpaper_tint!r}")
        for name in ("perimeter", "hum"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidSpecError(name, f"must be true or false, got {getattr(self, name)!r}")
        broken = self.dead_fraction + self.flicker_fraction
        if broken > 1:
            raise InvalidSpecError(
                "flicker_fraction", f"dead_fraction + flicker_fraction must not exceed 1, got {broken:g}"
            )
        _check_origin(self.origin)
        _check_algorithm(self.algorithm)
        if self.wall_thickness >= self.cell_size / 2:
            raise InvalidSpecError(
                "wall_thickness",
                f"must be less than half of cell_size ({self.cell_size / 2:g} m), got {self.wall_thickness:g}",
            )
        if self.door_height > self.wall_height:
            raise InvalidSpecError(
                "door_height", f"must not exceed wall_height ({self.wall_height:g} m), got {self.door_height:g}"
            )
        if self.room_min > self.room_max:
            raise InvalidSpecError("room_min", f"must not exceed room_max ({self.room_max}), got {self.room_min}")
        if self.room_max > self.chunk_size:
            raise InvalidSpecError(
                "room_max", f"must not exceed chunk_size ({self.chunk_size} cells), got {self.room_max}"
            )
        _check_memory(self.width, self.depth, self.floors)

    @property
    def piece_cells(self) -> int:
        """Side of a streaming piece (one object per piece and kind), in cells."""
        return self.chunk_size * self.piece_chunks

    @property
    def memory_estimate_bytes(self) -> int:
        """About how much memory generating this level takes at its peak."""
        return self.width * self.depth * self.floors * BYTES_PER_CELL

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields, in declaration order."""
        data = asdict(self)
        data["origin"] = list(self.origin)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LevelSpec:
        """Build a spec from plain data, rejecting unknown keys by name."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known - {"level"})
        if unknown:
            raise InvalidSpecError(unknown[0], f"is not a spec field; known fields: {sorted(known)}")
        values = dict(data)
        if "level" in values and "style" not in values:  # older documents and stored levels name it `level`
            values["style"] = values.pop("level")
        if "origin" in values:
            values["origin"] = _as_origin(values["origin"])
        return cls(**values)

    def replace(self, **changes: Any) -> LevelSpec:
        """A copy with some fields changed, validated again."""
        return LevelSpec.from_dict({**self.to_dict(), **changes})


def _check_int(name: str, value: object) -> None:
    bounds = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidSpecError(name, f"must be {bounds.describe()}, got {value!r}")
    if not bounds.low <= value <= bounds.high:
        raise InvalidSpecError(name, f"must be {bounds.describe()}, got {value}")


def _check_float(name: str, value: object) -> None:
    bounds = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidSpecError(name, f"must be {bounds.describe()}, got {value!r}")
    if math.isnan(value) or not bounds.low <= value <= bounds.high:
        raise InvalidSpecError(name, f"must be {bounds.describe()}, got {value}")


def _as_origin(value: object) -> tuple[int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise InvalidSpecError("origin", f"must be a pair of integers (x, y) in cells, got {value!r}")
    return (value[0], value[1])


def _check_origin(origin: object) -> None:
    x, y = _as_origin(origin)
    _check_int("origin_x", x)
    _check_int("origin_y", y)


def _check_memory(width: int, depth: int, floors: int) -> None:
    needed = width * depth * floors * BYTES_PER_CELL
    if needed > MEMORY_LIMIT_BYTES:
        raise InvalidSpecError(
            "width",
            f"a {width} x {depth} cell level of {floors} floor(s) would need about {needed / (1 << 30):.1f} GiB "
            "of memory, more than "
            f"the {MEMORY_LIMIT_BYTES / (1 << 30):.0f} GiB one level may use; generate the area as several "
            "regions (the world is seamless across origins)",
        )


def _check_algorithm(name: object) -> None:
    from .algorithms import ALGORITHMS

    if name not in ALGORITHMS:
        raise InvalidSpecError("algorithm", f"must be one of {sorted(ALGORITHMS)}, got {name!r}")


def _check_style(name: object) -> None:
    from .styles import STYLES

    if name not in STYLES:
        raise InvalidSpecError("style", f"must be one of {', '.join(STYLES)}, got {name!r}")
