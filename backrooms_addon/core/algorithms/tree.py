"""Growing tree: the lockstep engine behind the backtracker, randomised Prim and growing tree.

Each chunk keeps a list of active cells. Every step picks one (the newest, a random one, or a mix)
and either carves to a random unvisited neighbour, which joins the list, or retires it. Each step
does exactly one of the two in every chunk, so all chunks finish together after 2 * cells - 1 steps.
"""

from __future__ import annotations

import numpy as np

from .grid import ChunkBatch, FlatPassages, IntArray, Passages, Sequence, neighbour_table, pick_true


def grow_tree(batch: ChunkBatch, stream: int, newest_share: float) -> Passages:
    """Carve a spanning tree in every chunk; newest_share is how often the newest cell is picked."""
    count, cells = batch.count, batch.cells
    rows = np.arange(count)
    base = rows * cells  # flat arrays: chunk n's cells start at n * cells
    table = neighbour_table(batch.size)
    carved = FlatPassages(count, batch.size)
    visited = np.zeros(count * cells, np.bool_)
    active = np.zeros(count * cells, np.int64)
    length = np.ones(count, np.int64)
    random = batch.sequence(stream)
    active[base] = random.below(cells, 0)
    visited[base + active[base]] = True
    for step in range(2 * cells - 1):
        draw = random.integers(step + 1)
        index = _choose(draw, random, step, length, newest_share)
        cell = active[base + index]
        around = table[cell]
        free = (around >= 0) & ~visited[base[:, None] + np.maximum(around, 0)]
        carving = free.any(axis=1)
        direction = pick_true(free, draw >> 16)
        target = np.where(carving, around[rows, direction], cell)
        carved.join(base, cell, direction, target, carving)
        visited[base + target] = True
        # Carving appends the new cell; otherwise the chosen cell retires and the last entry
        # moves into its place.
        slot = np.where(carving, length, index)
        active[base + slot] = np.where(carving, target, active[base + length - 1])
        length += np.where(carving, 1, -1)
    return carved.passages()


def _choose(draw: IntArray, random: Sequence, step: int, length: IntArray, newest_share: float) -> IntArray:
    """Which active cell each chunk works on: the newest, or one at random."""
    newest = length - 1
    if newest_share >= 1.0:
        return newest
    # A second, independent draw: the first one's bits also choose the direction.
    at_random = random.below(length, 1_000_000 + step)
    if newest_share <= 0.0:
        return at_random
    use_newest = (draw & 0xFFFF) < int(newest_share * 0x10000)
    return np.where(use_newest, newest, at_random)
