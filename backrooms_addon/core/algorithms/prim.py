"""Randomised Prim: the tree grows from a random frontier cell each step; short dead ends, radial."""

from __future__ import annotations

from .grid import ChunkBatch, Passages
from .tree import grow_tree

_STREAM = 0x5052494D  # "PRIM"


def carve_prim(batch: ChunkBatch) -> Passages:
    """Always extend from a cell of the tree's frontier picked uniformly at random."""
    return grow_tree(batch, _STREAM, newest_share=0.0)
