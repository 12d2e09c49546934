"""Registry of maze algorithms: name -> function carving passages in a grid of cells."""

from __future__ import annotations

from collections.abc import Callable

from .backtracker import carve_backtracker
from .grid import Passages

Carver = Callable[[int, int, int], Passages]

# The panel and the CLI list their choices from this table.
ALGORITHMS: dict[str, Carver] = {
    "backtracker": carve_backtracker,
}

ALGORITHM_LABELS: dict[str, str] = {
    "backtracker": "Recursive Backtracker",
}

__all__ = ["ALGORITHMS", "ALGORITHM_LABELS", "Carver", "Passages"]
