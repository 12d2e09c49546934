"""Recursive backtracker (randomised depth-first search): long winding corridors, few branches."""

from __future__ import annotations

from .grid import ChunkBatch, Passages
from .tree import grow_tree

_STREAM = 0x4241434B  # "BACK"


def carve_backtracker(batch: ChunkBatch) -> Passages:
    """Always extend from the newest cell: depth first."""
    return grow_tree(batch, _STREAM, newest_share=1.0)
