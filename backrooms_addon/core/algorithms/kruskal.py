"""Randomised Kruskal: join random walls' two sides unless already connected; many short branches.

All chunks walk their own shuffled list of inner edges in lockstep, with a union-find forest per
chunk kept shallow by union by size, so each find is a few vectorised pointer jumps.
"""

from __future__ import annotations

import numpy as np

from .grid import ChunkBatch, FlatPassages, IntArray, Passages

_STREAM = 0x4B52534B  # "KRSK"


def inner_edges(size: int) -> tuple[IntArray, IntArray, IntArray]:
    """Every pair of neighbouring cells in a chunk: (low cell, high cell, direction 0 east / 1 north)."""
    y, x = np.divmod(np.arange(size * size, dtype=np.int64), size)
    east = x < size - 1
    north = y < size - 1
    cells = np.arange(size * size, dtype=np.int64)
    low = np.concatenate([cells[east], cells[north]])
    high = np.concatenate([cells[east] + 1, cells[north] + size])
    direction = np.concatenate([np.zeros(east.sum(), np.int64), np.ones(north.sum(), np.int64)])
    return low, high, direction


def carve_kruskal(batch: ChunkBatch) -> Passages:
    """A uniformly shuffled edge order per chunk, merged with union-find."""
    count, cells = batch.count, batch.cells
    low, high, direction = inner_edges(batch.size)
    order = np.argsort(batch.hashes(_STREAM, np.arange(len(low))), axis=1, kind="stable")
    base = np.arange(count, dtype=np.int64) * cells
    parent = np.arange(count * cells, dtype=np.int64)
    weight = np.ones(count * cells, np.int64)
    carved = FlatPassages(count, batch.size)
    joins = np.zeros(count, np.int64)
    for k in range(len(low)):
        edge = order[:, k]
        a, b = base + low[edge], base + high[edge]
        root_a, root_b = _find(parent, a), _find(parent, b)
        merge = root_a != root_b
        # Union by size: the lighter tree hangs under the heavier one.
        heavy = np.where(weight[root_a] >= weight[root_b], root_a, root_b)
        light = np.where(heavy == root_a, root_b, root_a)
        parent[light] = np.where(merge, heavy, parent[light])
        weight[heavy] += np.where(merge, weight[light], 0)
        carved.join(base, low[edge], direction[edge], high[edge], merge)
        joins += merge
        if (joins == cells - 1).all():
            break
    return carved.passages()


def _find(parent: IntArray, nodes: IntArray) -> IntArray:
    """Roots of the given nodes, halving paths on the way."""
    while True:
        up = parent[nodes]
        if (up == nodes).all():
            return nodes
        parent[nodes] = parent[up]
        nodes = up
