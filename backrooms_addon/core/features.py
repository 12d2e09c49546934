"""Features a level style adds to the rooms: holes in floor and ceiling, and meshes of their own."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .algorithms.grid import BoolArray
from .geometry import MeshArrays


@dataclass(frozen=True)
class Features:
    """Cells without floor or ceiling (pools, pitfalls, stairwells) and the meshes that go with them."""

    floor_holes: BoolArray | None = None
    ceiling_holes: BoolArray | None = None
    meshes: dict[str, MeshArrays] = field(default_factory=dict)

    def plus(self, other: Features) -> Features:
        overlap = set(self.meshes) & set(other.meshes)
        assert not overlap, f"two features make the same meshes: {sorted(overlap)}"
        return Features(
            _either(self.floor_holes, other.floor_holes),
            _either(self.ceiling_holes, other.ceiling_holes),
            {**self.meshes, **other.meshes},
        )


def _either(a: BoolArray | None, b: BoolArray | None) -> BoolArray | None:
    if a is None or b is None:
        return a if b is None else b
    joined: BoolArray = np.logical_or(a, b)
    return joined
