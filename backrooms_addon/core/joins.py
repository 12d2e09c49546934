"""Joins: the fewest doorways that make a closed region of the world one walkable area.

The world is connected, but a region cut out of it need not be: where its edges do not fall on
chunk borders, parts of it may be joined only through cells outside it. Closing the perimeter then
seals those parts off as pockets. A closed region is therefore built with a few more openings:
its walkable cells are labelled into areas, and the walls between two areas are candidates, the
ones nearest the region's edge first (the pockets are cut off there), ties broken by a hash of the
wall's world coordinates. Kruskal's algorithm over the areas takes the first candidate that joins
two areas not yet joined: k areas get exactly k - 1 doorways. A pillar only ever cuts a region one
cell wide (elsewhere the cells round it go round it), so such a region is built without pillars.

Only the built layout changes: the world's cells, and so the seams between regions, stay as they
are. Pools and pitfalls are left alone (neighbouring regions must agree about them); they never
split a region unless one spans it from side to side. What features block (Level !'s crates) is
the world's too, and it may cut off the only way through that a region's edge leaves: the areas
are labelled with those cells as solid, so the joins go round them (and then on to any of them
left sealed off, which a feature may yet leave free).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .algorithms.grid import BoolArray, IntArray
from .layout import EAST, NORTH, SOLID, Layout
from .rng import hash64

_JOIN_STREAM = 0x4A4F494E  # "JOIN"


def joined(layout: Layout, seed: int, blocked: BoolArray | None = None) -> Layout:
    """The closed `layout` with the fewest walls opened (and the pillars of a region one cell
    wide dropped) so that its walkable cells are one area, and stay one without the `blocked` ones."""
    solid = layout.solid if min(layout.width, layout.depth) > 1 else np.zeros_like(layout.solid)
    if blocked is not None:
        # Round the blocked cells first, then on to any they leave sealed: a feature may yet
        # leave one of them free (beside a hole), and then it is walked on like any other.
        layout = _joined_round(layout, seed, solid, solid | blocked)
    return _joined_round(layout, seed, solid, solid)


def _joined_round(layout: Layout, seed: int, solid: BoolArray, impassable: BoolArray) -> Layout:
    """The layout with `solid` for its pillars and the fewest walls opened so that its cells
    other than the `impassable` ones are one area."""
    labels = area_labels(layout.walls_h, layout.walls_v, impassable)
    walkable = labels[~impassable]
    if walkable.size == 0 or (walkable == walkable[0]).all():
        return layout if solid is layout.solid else replace(layout, solid=solid)
    walls_h, walls_v = layout.walls_h.copy(), layout.walls_v.copy()
    rows, columns, vertical = _doorways(layout, seed, impassable, labels)
    walls_v[rows[vertical], columns[vertical]] = False
    walls_h[rows[~vertical], columns[~vertical]] = False
    return Layout(walls_h, walls_v, solid, layout.origin)


def area_labels(walls_h: BoolArray, walls_v: BoolArray, solid: BoolArray) -> IntArray:
    """Per cell, a label shared by exactly the cells of its walkable area (solid cells: their own).

    The cells joined along a row make a run; runs are joined across open horizontal edges by
    union-find in numpy: each round hooks every root onto the smallest root it touches, then
    jumps pointers until every run points at its root. The label is the area's first run.
    """
    starts = walls_v[:, :-1] | solid
    starts[:, 1:] |= solid[:, :-1]
    starts[:, 0] = True
    run = np.cumsum(starts.ravel()) - 1
    across = (~walls_h[1:-1] & ~solid[:-1] & ~solid[1:]).ravel()
    width = solid.shape[1]
    lower, upper = run[:-width][across], run[width:][across]
    parent = np.arange(int(run[-1]) + 1, dtype=np.int64)
    while lower.size:
        a, b = parent[lower], parent[upper]
        apart = a != b
        lower, upper, a, b = lower[apart], upper[apart], a[apart], b[apart]
        np.minimum.at(parent, np.maximum(a, b), np.minimum(a, b))
        parent = _rooted(parent)
    labels: IntArray = parent[run].reshape(solid.shape)
    return labels


def _rooted(parent: IntArray) -> IntArray:
    """Pointer jumping until every entry points at a root (parents are never above their child)."""
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent
        parent = grand


def _doorways(layout: Layout, seed: int, solid: BoolArray, labels: IntArray) -> tuple[IntArray, IntArray, BoolArray]:
    """The walls to open, as (row, column) in walls_v where `vertical`, else in walls_h."""
    rows, columns, vertical, sides = _candidates(layout, solid, labels)
    (ox, oy), (width, depth) = layout.origin, (layout.width, layout.depth)
    # A wall's distance to the region's edge: that of the nearer of its two cells, the one
    # west of (or south of) it and the one at (columns, rows).
    edge = np.minimum.reduce([columns - vertical, width - 1 - columns, rows - ~vertical, depth - 1 - rows])
    draw = hash64(seed, _JOIN_STREAM, vertical.astype(np.int64), columns + ox, rows + oy)
    order = np.lexsort((draw, edge))
    chosen = _spanning(sides[order])
    picked = order[chosen]
    return rows[picked], columns[picked], vertical[picked]


def _candidates(layout: Layout, solid: BoolArray, labels: IntArray) -> tuple[IntArray, IntArray, BoolArray, IntArray]:
    """Inner walls between walkable cells of two areas: row, column, vertical, and the two areas."""
    between_v = layout.walls_v[:, 1:-1] & ~solid[:, :-1] & ~solid[:, 1:] & (labels[:, :-1] != labels[:, 1:])
    between_h = layout.walls_h[1:-1] & ~solid[:-1] & ~solid[1:] & (labels[:-1] != labels[1:])
    vy, vx = np.nonzero(between_v)
    hy, hx = np.nonzero(between_h)
    sides = np.concatenate(
        [
            np.stack([labels[vy, vx], labels[vy, vx + 1]], axis=1),
            np.stack([labels[hy, hx], labels[hy + 1, hx]], axis=1),
        ]
    )
    rows = np.concatenate([vy, hy + 1]).astype(np.int64)
    columns = np.concatenate([vx + 1, hx]).astype(np.int64)
    vertical = np.concatenate([np.ones(vy.size, np.bool_), np.zeros(hy.size, np.bool_)])
    return rows, columns, vertical, sides


def _spanning(sides: IntArray) -> IntArray:
    """Kruskal's algorithm: the positions of the candidates, taken in order, that join two areas
    not yet joined. Only the first candidate of each pair of areas can be taken, so the loop runs
    over pairs, not walls."""
    areas, pairs = np.unique(np.sort(sides, axis=1), return_inverse=True)
    pairs = pairs.reshape(-1, 2)
    key = pairs[:, 0] * areas.size + pairs[:, 1]
    _, first = np.unique(key, return_index=True)
    first.sort()
    root = list(range(areas.size))

    def find(area: int) -> int:
        while root[area] != area:
            root[area] = root[root[area]]
            area = root[area]
        return area

    chosen = []
    for position in first.tolist():
        a, b = find(int(pairs[position, 0])), find(int(pairs[position, 1]))
        if a != b:
            root[max(a, b)] = min(a, b)
            chosen.append(position)
    return np.asarray(chosen, np.int64)


def opened(world: Layout, built: Layout) -> IntArray:
    """What the built layout drops from the world's cells, one row per cell: [i, j, bits], with
    NORTH or EAST for a wall opened on that side of cell (i, j) and SOLID for a pillar dropped.
    The perimeter is not listed: it only ever adds walls."""
    bits = np.zeros(world.solid.shape, np.int64)
    bits[:-1] |= NORTH * (world.walls_h[1:-1] & ~built.walls_h[1:-1])
    bits[:, :-1] |= EAST * (world.walls_v[:, 1:-1] & ~built.walls_v[:, 1:-1])
    bits |= SOLID * (world.solid & ~built.solid)
    ys, xs = np.nonzero(bits)
    rows: IntArray = np.column_stack([xs, ys, bits[ys, xs]]).astype(np.int64)
    return rows
