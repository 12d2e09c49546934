"""Level 2's pipes: bundles of pipes that follow every wall just under the ceiling, around corners
and into each branch of a junction.

Each pipe runs along the outline of the walls grown by its offset (the wall solid of core/geometry.py
on a fine grid, with a thicker wall), so it keeps its distance from the wall face, turns with a
mitred joint where the outline turns and wraps round the end of a wall into the next passage. The
outline comes from the world's walls around the region, so a region cut anywhere gets the same
pipes as its neighbours up to the cut. A pipe is above head height or hugs its wall: the walkable
floor stays what it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .algorithms.grid import BoolArray
from .features import Feature, Features, Story
from .geometry import MeshArrays, concat_meshes, fine_solids, quad_mesh
from .layout import Layout, chunk_layout
from .plan import wall_style
from .spec import LevelSpec
from .world import Window

PIPE_MATERIALS = ("tunnel_pipe_rust", "tunnel_pipe_steel")
RUST, STEEL = 0, 1
HEADROOM_M = 2.0  # nothing lower than this stands out more than HUG_M from its wall
HUG_M = 0.15
CEILING_GAP_M = 0.04  # between a pipe's top and the ceiling: clear of the fixtures hanging there
# End kinds of a straight run: the outline turns round a wall's end (convex) or into a corner
# (concave), or the run is cut: by the region's or a piece's border (flat), or by a cell the pipes
# must leave open (a stairwell's opening: capped).
CONVEX, CONCAVE, FLAT, CAP = 1, -1, 0, 2

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Pipe:
    """One pipe of the bundle along every wall."""

    radius: float  # metres
    offset: float  # from the wall face to the pipe's axis
    drop: float  # from the ceiling down to the pipe's axis
    material: int
    sides: int  # even: the caps are fans of quads


BUNDLE = (
    Pipe(0.10, 0.13, 0.15, RUST, 8),  # the main, just under the ceiling
    Pipe(0.045, 0.07, 0.33, STEEL, 6),  # lower and tight to the wall
    Pipe(0.03, 0.30, 0.09, RUST, 6),  # thin, further out, up by the ceiling
)


class PipesFeature(Feature):
    """The pipe bundles; planned after stairwells, whose openings they leave clear."""

    key = "pipes"
    solid = ("pipes",)

    def on_story(self, story: Story, so_far: Features) -> Features:
        blocked = _either(so_far.ceiling_holes, so_far.occupied, story.built.solid.shape)
        mesh = pipe_mesh(story.spec, story.built, story.window, blocked, story.ground)
        return Features(meshes={"pipes": mesh}) if mesh.face_count else Features()

    def faces(self, spec: LevelSpec) -> float:
        kept = [pipe for pipe in BUNDLE if fits(pipe, spec)]
        return spec.width * spec.depth * spec.floors * RUNS_PER_CELL * sum(p.sides for p in kept)


PIPES = PipesFeature()
RUNS_PER_CELL = 1.35  # straight runs of outline per cell of a Level 2 maze (measured: tests/core/test_level2.py)


def fits(pipe: Pipe, spec: LevelSpec) -> bool:
    """Whether the pipe belongs in a level of this spec: below the ceiling, above head height or
    against its wall, and with room left in a cell between the pipes on its two sides."""
    top = spec.wall_height - pipe.drop + pipe.radius
    bottom = spec.wall_height - pipe.drop - pipe.radius
    clear = bottom >= HEADROOM_M or pipe.offset + pipe.radius <= HUG_M
    room = spec.cell_size - spec.wall_thickness - 2 * (pipe.offset + pipe.radius) > 0.2
    return top <= spec.wall_height - CEILING_GAP_M and clear and room


def pipe_mesh(
    spec: LevelSpec, built: Layout, window: Window, blocked: BoolArray, ground: Layout | None = None
) -> MeshArrays:
    """Every pipe of the bundle that fits the spec along the region's walls, away from `blocked`
    cells; `ground`: the window's layout as the level's features shaped it (the world's by default)."""
    kept = [pipe for pipe in BUNDLE if fits(pipe, spec)]
    if not kept:
        return quad_mesh(np.zeros((0, 4, 3)), np.zeros((0, 4, 2)), 0, PIPE_MATERIALS)
    fine = _fine(spec, _surroundings(spec, built, window, ground or window.world))
    runs = [_runs(fine, blocked, spec, window, across) for across in (False, True)]
    parts = [_pipe_run_mesh(run, pipe, spec, window) for pipe in kept for run in runs]
    return concat_meshes(*[part for part in parts if part.face_count] or parts[:1])


# ---------------------------------------------------------------------------------------------
# The outline


def _surroundings(spec: LevelSpec, built: Layout, window: Window, ground: Layout) -> Layout:
    """The region's built walls with a ring of one cell of the world's walls around them, so the
    outline at the region's edges is the world's (walls just outside decide its corners): those of
    `ground` where the ring lies in the window; beyond it, among the cells along chunk borders,
    which stairwells cleared out of the walls never reach (core/floors.py), the world's own."""
    size, (ox, oy) = spec.chunk_size, spec.origin
    first = ((ox - 1) // size, (oy - 1) // size)
    count = ((ox + spec.width) // size - first[0] + 1, (oy + spec.depth) // size - first[1] + 1)
    same = (first, count) == (window.first_chunk, window.chunks)
    world = ground if same else _widened(ground, chunk_layout(spec, first, count))
    ring = world.cut((ox - 1 - world.origin[0], oy - 1 - world.origin[1]), spec.width + 2, spec.depth + 2)
    walls_h, walls_v = ring.walls_h.copy(), ring.walls_v.copy()
    walls_h[1:-1, 1:-1] = built.walls_h
    walls_v[1:-1, 1:-1] = built.walls_v
    return Layout(walls_h, walls_v, np.zeros_like(ring.solid), ring.origin)


def _widened(ground: Layout, world: Layout) -> Layout:
    """The world's walls over more chunks, with `ground`'s (a part of them) in their place."""
    x, y = ground.origin[0] - world.origin[0], ground.origin[1] - world.origin[1]
    walls_h, walls_v = world.walls_h.copy(), world.walls_v.copy()
    walls_h[y : y + ground.depth + 1, x : x + ground.width] = ground.walls_h
    walls_v[y : y + ground.depth, x : x + ground.width + 1] = ground.walls_v
    return Layout(walls_h, walls_v, world.solid, world.origin)


def _fine(spec: LevelSpec, ring: Layout) -> BoolArray:
    """The wall solid on a fine grid with three vertex lines per grid line (i*c - t/2, i*c and
    i*c + t/2): the grid line itself splits each post, so region, piece and cell borders are all
    vertex lines. Headers count as wall: the pipes run over a doorway that has one."""
    _, high = fine_solids(ring, with_headers=wall_style(spec).door_height is not None)

    def split(cells: int) -> I64:  # fine_solids' index of each cell of the finer grid, along one axis
        per_cell = np.stack([2 * np.arange(cells), 2 * np.arange(cells), 2 * np.arange(cells) + 1], -1)
        return np.append(per_cell.ravel(), [2 * cells, 2 * cells]).astype(np.int64)

    solid: BoolArray = high[np.ix_(split(ring.depth), split(ring.width))]
    return solid


def _vertices(cells: int, cell: float, half: float) -> F64:
    """Region coordinates of the finer grid's vertex lines along one axis (the ring starts a cell before)."""
    lines = (np.arange(cells + 1, dtype=np.float64) - 1) * cell
    return np.column_stack([lines - half, lines, lines + half]).ravel()


@dataclass(frozen=True)
class Runs:
    """Straight runs of outline on the fine grid's lines along one axis, as fine indices."""

    across: bool  # runs along x (on horizontal lines) rather than along y
    line: I64  # the vertex line each lies on
    first: I64  # its first and last fine cell along the line
    last: I64
    facing: I64  # +1: open towards the line's + side (the wall is on the - side), -1 the reverse
    low_end: I64  # CONVEX, CONCAVE, FLAT or CAP at its low and high ends
    high_end: I64


def _runs(fine: BoolArray, blocked: BoolArray, spec: LevelSpec, window: Window, across: bool) -> Runs:
    """The outline's straight runs on vertical lines (on horizontal ones if `across`) inside the
    region, cut at piece borders and left out over blocked cells."""
    solid = fine.T if across else fine  # runs go along axis 0
    padded = np.pad(solid, 1)
    side = padded[1:-1, :-1].astype(np.int8) - padded[1:-1, 1:].astype(np.int8)  # (rows, lines)
    rows, lines = side.shape
    inside, open_cells = _inside(rows, lines, blocked.T if across else blocked)
    kept = (side != 0) & inside & open_cells
    piece = window.pieces.cells
    border = np.zeros(rows + 1, np.bool_)  # vertex rows on a piece border: 3 * (k * piece + 1) + 1
    border[4 :: 3 * piece] = True
    joined = np.zeros((rows + 1, lines), np.bool_)
    joined[1:-1] = kept[:-1] & kept[1:] & (side[:-1] == side[1:]) & ~border[1:-1, None]
    line, row = (part.astype(np.int64) for part in np.nonzero((kept & ~joined[:-1]).T))
    _, end_row = (part.astype(np.int64) for part in np.nonzero((kept & ~joined[1:]).T))
    # Both in (line, row) order: the n-th start and the n-th end are one run's.
    facing = side[row, line].astype(np.int64)
    low = _end(padded, side, inside & ~open_cells, row, line, facing, -1)
    high = _end(padded, side, inside & ~open_cells, end_row, line, facing, +1)
    return Runs(across, line, row, end_row, facing, low, high)


def _inside(rows: int, lines: int, blocked: BoolArray) -> tuple[BoolArray, BoolArray]:
    """Per fine edge (row, line): whether it lies inside the region, and whether its cell is open
    (not blocked). Fine rows come three to a cell from the ring's first; lines likewise."""
    cell_row = (np.arange(rows) - 1) // 3 - 1  # region cell of each fine row (the ring is cell -1)
    # Line 3k + j lies on the ring's grid line k (region line k - 1): j = 0 at its - side, in
    # region cell k - 2; j = 1 on the line itself, no cell's; j = 2 at its + side, in cell k - 1.
    kind = np.arange(lines) % 3
    cell_col = np.arange(lines) // 3 - np.where(kind == 0, 2, 1)
    depth, width = blocked.shape
    in_rows = (cell_row >= 0) & (cell_row < depth)
    in_cols = (cell_col >= 0) & (cell_col < width) & (kind != 1)
    inside = in_rows[:, None] & in_cols[None, :]
    open_cells = np.ones((rows, lines), np.bool_)
    r, c = np.nonzero(inside)
    open_cells[r, c] = ~blocked[cell_row[r], cell_col[c]]
    return inside, open_cells


def _end(
    padded: BoolArray, side: npt.NDArray[np.int8], shut: BoolArray, row: I64, line: I64, facing: I64, step: int
) -> I64:
    """How a run ends past fine row `row` in direction `step`: it turns (the outline goes round
    the wall's end or into a corner), or goes on straight where the run stops (a cut: capped
    where the next cell is blocked)."""
    rows = side.shape[0]
    nxt = row + step
    valid = (nxt >= 0) & (nxt < rows)
    nxt = np.clip(nxt, 0, rows - 1)
    straight = valid & (side[nxt, line] == facing)
    # Fine cells either side of the line in the next row (padded has a border of one).
    wall_cell = np.where(facing > 0, padded[nxt + 1, line], padded[nxt + 1, line + 1])
    open_cell = np.where(facing > 0, padded[nxt + 1, line + 1], padded[nxt + 1, line])
    turn = np.where(~wall_cell & ~open_cell, CONVEX, np.where(wall_cell & open_cell, CONCAVE, CAP))
    cut = np.where(shut[nxt, line], CAP, FLAT)
    kind: I64 = np.where(straight, cut, turn).astype(np.int64)
    return kind


# ---------------------------------------------------------------------------------------------
# Meshes


def _pipe_run_mesh(runs: Runs, pipe: Pipe, spec: LevelSpec, window: Window) -> MeshArrays:
    """One pipe along each run: its sides, mitred at turns, and caps where it stops short."""
    half = spec.wall_thickness / 2 + pipe.offset
    along_x = runs.across
    a_vertices = _vertices((spec.width if along_x else spec.depth) + 2, spec.cell_size, half)
    n_vertices = _vertices((spec.depth if along_x else spec.width) + 2, spec.cell_size, half)
    start, stop = a_vertices[runs.first], a_vertices[runs.last + 1]
    at = n_vertices[runs.line]
    z = spec.wall_height - pipe.drop
    angles = 2 * np.pi * (np.arange(pipe.sides + 1) + 0.5) / pipe.sides  # flat top and bottom
    out, up = np.cos(angles), np.sin(angles)  # towards the open side, and up
    k_low = np.where(np.abs(runs.low_end) == 1, runs.low_end, 0)[:, None]
    k_high = np.where(np.abs(runs.high_end) == 1, runs.high_end, 0)[:, None]
    low = start[:, None] - k_low * pipe.radius * out[None, :]  # (runs, sides + 1)
    high = stop[:, None] + k_high * pipe.radius * out[None, :]
    across = at[:, None] + runs.facing[:, None] * pipe.radius * out[None, :]
    height = np.broadcast_to(z + pipe.radius * up[None, :], across.shape)
    quads = np.stack(
        [
            _points(low[:, :-1], across[:, :-1], height[:, :-1], along_x),
            _points(low[:, 1:], across[:, 1:], height[:, 1:], along_x),
            _points(high[:, 1:], across[:, 1:], height[:, 1:], along_x),
            _points(high[:, :-1], across[:, :-1], height[:, :-1], along_x),
        ],
        axis=2,
    )  # (runs, sides, 4, 3)
    arc = pipe.radius * angles
    uvs = np.stack(
        [
            np.stack([low[:, :-1], np.broadcast_to(arc[:-1], low[:, :-1].shape)], -1),
            np.stack([low[:, 1:], np.broadcast_to(arc[1:], low[:, 1:].shape)], -1),
            np.stack([high[:, 1:], np.broadcast_to(arc[1:], low[:, 1:].shape)], -1),
            np.stack([high[:, :-1], np.broadcast_to(arc[:-1], low[:, :-1].shape)], -1),
        ],
        axis=2,
    )
    mid_a, mid_n = (start + stop) / 2, at
    centre = _points(mid_a[:, None], mid_n[:, None], np.full((len(at), 1), z), along_x)[:, 0]
    sides = _outwards(quads.reshape(-1, 4, 3), np.repeat(centre, pipe.sides, axis=0), along_x)
    caps, cap_uvs, cap_centre = _caps(runs, start, stop, across, height, along_x, pipe)
    corners = np.concatenate([sides, caps])
    texture = np.concatenate([uvs.reshape(-1, 4, 2), cap_uvs])
    middle = np.concatenate([np.repeat(centre, pipe.sides, axis=0), cap_centre])
    piece = window.pieces.at(middle[:, 0], middle[:, 1], spec.cell_size)
    return quad_mesh(corners, texture, pipe.material, PIPE_MATERIALS, piece)


def _points(along: F64, across: F64, z: F64, along_x: bool) -> F64:
    """(x, y, z) points from coordinates along the run, across it and up."""
    xy = (along, across) if along_x else (across, along)
    return np.stack([xy[0], xy[1], np.broadcast_to(z, along.shape)], -1)


def _outwards(quads: F64, centre: F64, along_x: bool) -> F64:
    """The side quads, each turned to face away from its pipe's axis."""
    normal = np.cross(quads[:, 1] - quads[:, 0], quads[:, 2] - quads[:, 1])
    away = quads.mean(axis=1) - centre
    axis = 0 if along_x else 1
    away[:, axis] = 0.0  # from the axis, not from the run's middle
    flip = np.einsum("ij,ij->i", normal, away) < 0
    quads[flip] = quads[flip][:, ::-1]
    return quads


def _caps(
    runs: Runs, start: F64, stop: F64, across: F64, height: F64, along_x: bool, pipe: Pipe
) -> tuple[F64, F64, F64]:
    """A flat disc (a fan of quads) closing each end cut short by a blocked cell, facing out."""
    parts, uvs, centres = [], [], []
    for ends, at, outward in ((runs.low_end, start, -1.0), (runs.high_end, stop, 1.0)):
        which = np.nonzero(ends == CAP)[0]
        if not len(which):
            continue
        ring = _points(np.repeat(at[which, None], pipe.sides, 1), across[which, :-1], height[which, :-1], along_x)
        fan = [(0, 2 * i + 1, 2 * i + 2, 2 * i + 3) for i in range(pipe.sides // 2 - 1)]
        quads = ring[:, fan].reshape(-1, 4, 3)  # (caps * fans, 4, 3)
        normal = np.cross(quads[:, 1] - quads[:, 0], quads[:, 2] - quads[:, 1])
        axis = 0 if along_x else 1
        flip = normal[:, axis] * outward < 0
        quads[flip] = quads[flip][:, ::-1]
        parts.append(quads)
        uvs.append(quads[:, :, [1, 2]] if along_x else quads[:, :, [0, 2]])
        centres.append(quads.mean(axis=1))
    if not parts:
        return np.zeros((0, 4, 3)), np.zeros((0, 4, 2)), np.zeros((0, 3))
    return np.concatenate(parts), np.concatenate(uvs), np.concatenate(centres)


def _either(a: BoolArray | None, b: BoolArray | None, shape: tuple[int, ...]) -> BoolArray:
    blocked = np.zeros(shape, np.bool_)
    for part in (a, b):
        if part is not None:
            blocked |= part
    return blocked
