"""Passages: which neighbouring cells of a grid are joined, as two boolean arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Passages:
    """Open passages between cells: east[y, x] joins (x, y)-(x+1, y), north[y, x] joins (x, y)-(x, y+1)."""

    east: BoolArray
    north: BoolArray

    @classmethod
    def closed(cls, width: int, depth: int) -> Passages:
        """A grid with every cell walled in."""
        return cls(np.zeros((depth, width), np.bool_), np.zeros((depth, width), np.bool_))
