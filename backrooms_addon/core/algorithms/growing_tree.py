"""Growing tree: half depth-first, half Prim; long corridors that still branch often."""

from __future__ import annotations

from .grid import ChunkBatch, Passages
from .tree import grow_tree

_STREAM = 0x47524F57  # "GROW"


def carve_growing_tree(batch: ChunkBatch) -> Passages:
    """Extend from the newest cell half of the time and from a random one otherwise."""
    return grow_tree(batch, _STREAM, newest_share=0.5)
