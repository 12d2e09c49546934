"""Registry of maze algorithms: name -> function carving passages inside a batch of chunks."""

from __future__ import annotations

from collections.abc import Callable

from .backrooms import carve_backrooms
from .backtracker import carve_backtracker
from .division import carve_division
from .grid import ChunkBatch, Passages
from .growing_tree import carve_growing_tree
from .kruskal import carve_kruskal
from .prim import carve_prim
from .wilson import carve_wilson

Carver = Callable[[ChunkBatch], Passages]

# The panel and the CLI list their choices from this table, in this order.
ALGORITHMS: dict[str, Carver] = {
    "backrooms": carve_backrooms,
    "backtracker": carve_backtracker,
    "prim": carve_prim,
    "kruskal": carve_kruskal,
    "wilson": carve_wilson,
    "growing_tree": carve_growing_tree,
    "division": carve_division,
}

ALGORITHM_LABELS: dict[str, str] = {
    "backrooms": "Backrooms (rooms, corridors, pillars)",
    "backtracker": "Recursive Backtracker",
    "prim": "Randomized Prim",
    "kruskal": "Randomized Kruskal",
    "wilson": "Wilson (uniform spanning tree)",
    "growing_tree": "Growing Tree",
    "division": "Recursive Division",
}

__all__ = ["ALGORITHMS", "ALGORITHM_LABELS", "Carver", "ChunkBatch", "Passages"]
