"""Wilson's algorithm: loop-erased random walks, giving a uniform spanning tree (no visual bias).

Each chunk is a small state machine run in lockstep with the others: walk at random from a cell
outside the tree, remembering the last exit from every cell (which erases loops by itself), and
once the walk meets the tree, retrace it from its start, adding each cell. The number of steps
varies per chunk; the loop runs until the last chunk is done.
"""

from __future__ import annotations

import numpy as np

from .grid import BoolArray, ChunkBatch, FlatPassages, IntArray, Passages, neighbour_table

_STREAM = 0x57494C53  # "WILS"


def carve_wilson(batch: ChunkBatch) -> Passages:
    count, cells = batch.count, batch.cells
    rows = np.arange(count, dtype=np.int64)
    base = rows * cells
    table = neighbour_table(batch.size)
    # Per cell: how many neighbours lie inside the chunk, and their directions first.
    inside_count = (table >= 0).sum(axis=1)
    inside_directions = np.argsort(table < 0, axis=1, kind="stable")
    random = batch.sequence(_STREAM)
    # Cells in a random order per chunk: the first is the tree's root, the rest start walks in turn.
    order = np.argsort(batch.hashes(_STREAM, np.arange(cells)), axis=1, kind="stable")
    in_tree = np.zeros(count * cells, np.bool_)
    in_tree[base + order[:, 0]] = True
    exit_direction = np.zeros(count * cells, np.int64)
    carved = FlatPassages(count, batch.size)
    next_start = np.ones(count, np.int64)  # position in `order` of the next walk's start
    start = order[:, 1].copy()
    position = start.copy()
    walking = np.ones(count, np.bool_)
    done = np.zeros(count, np.bool_)
    step = 0
    while not done.all():
        step += 1
        around = table[position]
        direction = inside_directions[position, random.integers(step) % inside_count[position]]
        # Walking: remember the exit and move on. Retracing: add the cell, follow its exit.
        chosen = np.where(walking, direction, exit_direction[base + position])
        exit_direction[base + position] = chosen
        moved = around[rows, chosen]
        retracing = ~walking & ~done
        in_tree[base + position] |= retracing
        carved.join(base, position, chosen, moved, retracing)
        position = np.where(done, position, moved)
        arrived = in_tree[base + position] & ~done
        # A walk that reaches the tree turns round to retrace from its start.
        turn = walking & arrived
        position = np.where(turn, start, position)
        finished = retracing & arrived
        walking = (walking & ~turn) | finished
        if finished.any():
            _advance(order, in_tree, base, next_start, start, finished, cells)
            position = np.where(finished, start, position)
            done |= finished & (next_start >= cells)
            walking &= ~done
    return carved.passages()


def _advance(
    order: IntArray,
    in_tree: BoolArray,
    base: IntArray,
    next_start: IntArray,
    start: IntArray,
    finished: BoolArray,
    cells: int,
) -> None:
    """Move each finished chunk's next start past the cells the tree already holds."""
    while True:
        candidate = order[np.arange(len(order)), np.minimum(next_start, cells - 1)]
        skip = finished & (next_start < cells) & in_tree[base + candidate]
        if not skip.any():
            break
        next_start += skip
    ready = finished & (next_start < cells)
    start[ready] = candidate[ready]
