"""Independent checks of levels, written without the generator's own helpers so they can disagree."""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from backrooms_addon.core.geometry import MeshArrays
from backrooms_addon.core.layout import Layout
from backrooms_addon.core.levels import preset_spec
from backrooms_addon.core.plan import LevelPlan
from backrooms_addon.core.spec import LevelSpec

# Small levels over every geometry setting, anywhere in the world.
geometry_specs = st.builds(
    LevelSpec,
    seed=st.integers(0, 1 << 40),
    width=st.integers(1, 24),
    depth=st.integers(1, 24),
    density=st.floats(0.0, 1.0),
    cell_size=st.floats(1.0, 4.0),
    wall_thickness=st.floats(0.05, 0.45),
    origin=st.tuples(st.integers(-(10**9), 10**9), st.integers(-(10**9), 10**9)),
    chunk_size=st.sampled_from([8, 16]),
    piece_chunks=st.integers(1, 2),
    door_height=st.sampled_from([2.0, 2.1, 2.8]),
    baseboard_height=st.sampled_from([0.0, 0.1]),
    perimeter=st.booleans(),
)


@st.composite
def preset_specs(draw: st.DrawFn, key: str, smallest: int, far: int, **extra: st.SearchStrategy[object]) -> LevelSpec:
    """A built-in preset at a random seed, size (smallest to 40 cells) and place (within `far` cells
    of the origin), with the `extra` fields drawn too."""
    return preset_spec(
        key,
        seed=draw(st.integers(0, 2**32)),
        width=draw(st.integers(smallest, 40)),
        depth=draw(st.integers(smallest, 40)),
        origin=(draw(st.integers(-far, far)), draw(st.integers(-far, far))),
        **{name: draw(strategy) for name, strategy in extra.items()},
    )


@st.composite
def unaligned_preset_specs(
    draw: st.DrawFn, key: str, smallest: int = 1, **extra: st.SearchStrategy[object]
) -> LevelSpec:
    """A built-in preset as preset_specs draws it (within a million cells of the origin), moved so
    that its west and south edges cut through chunks."""
    spec = draw(preset_specs(key, smallest, 10**6, **extra))
    size, (ox, oy) = spec.chunk_size, spec.origin
    shift = (draw(st.integers(1, size - 1)), draw(st.integers(1, size - 1)))
    return spec.replace(origin=(ox - ox % size + shift[0], oy - oy % size + shift[1]))


def split_region(spec: LevelSpec, extra: int, along_x: bool) -> tuple[LevelSpec, LevelSpec]:
    """The region `extra` cells bigger along x (or y), and the part it adds beyond `spec`."""
    ox, oy = spec.origin
    if along_x:
        return spec.replace(width=spec.width + extra), spec.replace(width=extra, origin=[ox + spec.width, oy])
    return spec.replace(depth=spec.depth + extra), spec.replace(depth=extra, origin=[ox, oy + spec.depth])


def walkable_components(layout: Layout) -> int:
    """How many separate walkable areas the region has, moving only inside it."""
    seen = layout.solid.copy()
    components = 0
    for y, x in zip(*np.nonzero(~seen), strict=True):
        if not seen[y, x]:
            components += 1
            _flood(layout, seen, (int(x), int(y)))
    return components


def floor_areas(layout: Layout, holes: np.ndarray | None = None) -> int:
    """Walkable areas of a built floor, its holes (pools, pitfalls, stair openings) not walkable."""
    solid = layout.solid if holes is None else layout.solid | holes
    return walkable_components(Layout(layout.walls_h, layout.walls_v, solid, layout.origin))


def area_labels(layout: Layout, holes: np.ndarray | None = None) -> np.ndarray:
    """Per cell, which walkable area it is in (1, 2, ...), 0 for solid cells and holes."""
    seen = layout.solid.copy() if holes is None else layout.solid | holes
    labels = np.zeros(seen.shape, np.int64)
    for y, x in zip(*np.nonzero(~seen), strict=True):
        if not seen[y, x]:
            before = seen.copy()
            _flood(layout, seen, (int(x), int(y)))
            labels[seen & ~before] = labels.max() + 1
    return labels


def reachable_cells(layout: Layout, start: tuple[int, int] = (0, 0)) -> int:
    """Walkable cells reachable from start through edges without walls, inside the region."""
    seen = layout.solid.copy()
    return _flood(layout, seen, start)


def _flood(layout: Layout, seen: np.ndarray, start: tuple[int, int]) -> int:
    """Breadth-first search from start, marking `seen`; returns how many cells it reached."""
    width, depth = layout.width, layout.depth
    seen[start[1], start[0]] = True
    reached = 1
    queue = deque([start])
    while queue:
        x, y = queue.popleft()
        steps = (
            (x + 1, y, not layout.walls_v[y, x + 1]),
            (x - 1, y, not layout.walls_v[y, x]),
            (x, y + 1, not layout.walls_h[y + 1, x]),
            (x, y - 1, not layout.walls_h[y, x]),
        )
        for nx, ny, open_edge in steps:
            if open_edge and 0 <= nx < width and 0 <= ny < depth and not seen[ny, nx]:
                seen[ny, nx] = True
                reached += 1
                queue.append((nx, ny))
    return reached


def inside_walls(layout: Layout, cell: float, thickness: float, points: np.ndarray, pillar: float = 0.0) -> np.ndarray:
    """Whether each (x, y) point lies strictly inside the solid made by the wall boxes and pillars.

    Each wall edge is a box of the given thickness reaching half a thickness past its ends;
    a solid cell holds a square pillar of side `pillar` at its centre. The union of those boxes
    is the solid however the generator splits it into faces.
    """
    half = thickness / 2
    cx, cy = np.floor(points[:, 0] / cell).astype(int), np.floor(points[:, 1] / cell).astype(int)
    in_grid = (cx >= 0) & (cx < layout.width) & (cy >= 0) & (cy < layout.depth)
    inside = np.zeros(len(points), bool)
    inside[in_grid] = layout.solid[cy[in_grid], cx[in_grid]]
    inside &= (np.abs(points[:, 0] - (cx + 0.5) * cell) < pillar / 2) & (
        np.abs(points[:, 1] - (cy + 0.5) * cell) < pillar / 2
    )
    for axis, walls in ((0, layout.walls_h), (1, layout.walls_v.T)):
        along, across = points[:, axis], points[:, 1 - axis]
        line = np.rint(across / cell).astype(int)
        near_line = np.abs(across - line * cell) < half
        for offset in (-1, 0, 1):
            edge = np.floor(along / cell).astype(int) + offset
            valid = (line >= 0) & (line < walls.shape[0]) & (edge >= 0) & (edge < walls.shape[1])
            has_wall = np.zeros(len(points), bool)
            has_wall[valid] = walls[line[valid], edge[valid]]
            within = (along > edge * cell - half) & (along < (edge + 1) * cell + half)
            inside |= near_line & has_wall & within
    return inside


def quad_corners(mesh: MeshArrays) -> np.ndarray:
    return mesh.vertices[mesh.faces].astype(np.float64)


def planarity_error(mesh: MeshArrays) -> float:
    """Largest distance of a quad's fourth corner from the plane of the first three."""
    q = quad_corners(mesh)
    normal = np.cross(q[:, 1] - q[:, 0], q[:, 2] - q[:, 0])
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    return float(np.abs(np.einsum("ij,ij->i", q[:, 3] - q[:, 0], normal)).max())


def doorway_edges(walls: np.ndarray) -> np.ndarray:
    """Gaps of one or two edges between walls on the same line, found one line at a time."""
    doors = np.zeros_like(walls)
    for r, row in enumerate(walls.tolist()):
        n = len(row)
        for i in range(n):
            if row[i]:
                continue
            j = i
            while j < n and not row[j]:
                j += 1
            gap_start = i
            while gap_start > 0 and not row[gap_start - 1]:
                gap_start -= 1
            if gap_start > 0 and j < n and j - gap_start <= 2:
                doors[r, i] = True
    return doors


def inside_solid(layout: Layout, style, points: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Whether (x, y, z) points are inside walls, pillars or doorway headers, worked out from the layout."""
    pillar = min(0.4 * style.cell_size, 0.9)
    inside = inside_walls(layout, style.cell_size, style.thickness, points[:, :2], pillar)
    if style.door_height is not None:
        header = Layout(doorway_edges(layout.walls_h), doorway_edges(layout.walls_v.T).T, layout.solid & False)
        above = points[:, 2] > style.door_height
        inside |= above & inside_walls(header, style.cell_size, style.thickness, points[:, :2], 0.0)
    return inside


def plan_hash(plan: LevelPlan, kinds: Iterable[str]) -> Any:
    """A sha256 of the plan's meshes of `kinds`, in that order (name, positions, UVs, materials):
    a level's golden hash, which a test may extend with more of the plan."""
    sha = hashlib.sha256()
    for kind in kinds:
        mesh = plan.meshes[kind]
        sha.update(kind.encode() + mesh.vertices.tobytes() + mesh.uvs.tobytes() + mesh.material_indices.tobytes())
    return sha
