"""LevelSpec: the validated description of a level that every front end builds."""

from __future__ import annotations

import math
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
    "width": _ints(2, 4096, "cells"),
    "depth": _ints(2, 4096, "cells"),
    "density": Range(0.0, 1.0),
    "cell_size": Range(1.0, 8.0, "m"),
    "wall_height": Range(2.2, 6.0, "m"),
    "wall_thickness": Range(0.02, 0.5, "m"),
    "origin_x": _ints(-ORIGIN_LIMIT, ORIGIN_LIMIT, "cells"),
    "origin_y": _ints(-ORIGIN_LIMIT, ORIGIN_LIMIT, "cells"),
}


@dataclass(frozen=True)
class LevelSpec:
    """Everything that decides a level; equal specs give identical levels."""

    seed: int = 0
    width: int = 32
    depth: int = 32
    density: float = 0.55
    cell_size: float = 2.4
    wall_height: float = 2.8
    wall_thickness: float = 0.15
    origin: tuple[int, int] = (0, 0)
    algorithm: str = "backtracker"

    def __post_init__(self) -> None:
        _check_int("seed", self.seed)
        _check_int("width", self.width)
        _check_int("depth", self.depth)
        for name in ("density", "cell_size", "wall_height", "wall_thickness"):
            _check_float(name, getattr(self, name))
        _check_origin(self.origin)
        _check_algorithm(self.algorithm)
        if self.wall_thickness >= self.cell_size / 2:
            raise InvalidSpecError(
                "wall_thickness",
                f"must be less than half of cell_size ({self.cell_size / 2:g} m), got {self.wall_thickness:g}",
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields, in declaration order."""
        data = asdict(self)
        data["origin"] = list(self.origin)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LevelSpec:
        """Build a spec from plain data, rejecting unknown keys by name."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidSpecError(unknown[0], f"is not a spec field; known fields: {sorted(known)}")
        values = dict(data)
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


def _check_algorithm(name: object) -> None:
    from .algorithms import ALGORITHMS

    if name not in ALGORITHMS:
        raise InvalidSpecError("algorithm", f"must be one of {sorted(ALGORITHMS)}, got {name!r}")
