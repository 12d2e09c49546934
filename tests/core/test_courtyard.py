"""Level 188, the Courtyard of Windows: an open court, identical windows in its walls, a closed
lit room behind each, and walls open exactly where the windows are.

The checks work from the meshes alone: a window is a glass quad, a room is a group of room faces
joined at their corners, and coverage is counted cell by cell over the arrangement of the faces'
own edges, so a gap or an overlap of any size is found.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from level_checks import planarity_error, quad_corners, walkable_components

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.courtyard import ROOM_D, ROOM_H, ROOM_W
from backrooms_addon.core.geometry import MeshArrays
from backrooms_addon.core.plan import LevelPlan
from backrooms_addon.core.recipes import load_recipes
from backrooms_addon.core.styles import STYLES

EPS = 1e-4
FEATURES = ("court_walls", "windows", "rooms")


def court(**fields: object) -> LevelSpec:
    values: dict[str, object] = {
        "style": "LEVEL_188",
        "width": 8,
        "depth": 6,
        "wall_height": 6.0,
        "wall_thickness": 0.3,
        "perimeter": False,
        "fixture_density": 0.0,
        "density": 0.0,
        "hum": False,
    }
    return LevelSpec(**{**values, **fields})  # type: ignore[arg-type]


courts = st.builds(
    court,
    seed=st.integers(0, 1 << 40),
    width=st.integers(1, 14),
    depth=st.integers(1, 14),
    density=st.floats(0.0, 1.0),
    cell_size=st.floats(1.0, 4.0),
    wall_thickness=st.floats(0.05, 0.45),
    wall_height=st.sampled_from([2.2, 2.8, 4.5, 6.0]),
    baseboard_height=st.sampled_from([0.0, 0.1, 0.3]),
    origin=st.tuples(st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6)),
    piece_chunks=st.integers(1, 2),
    chunk_size=st.sampled_from([4, 8, 16]),
    room_min=st.just(1),
    room_max=st.just(4),
)


# ---------------------------------------------------------------------------------------------
# Faces as axis-aligned rectangles


class Rects:
    """Each face of a mesh as the axis its normal lies on, the normal's sign, and its box."""

    def __init__(self, mesh: MeshArrays, keep: np.ndarray | None = None) -> None:
        q = quad_corners(mesh)
        normals = mesh.normals().astype(np.float64)
        if keep is not None:
            q, normals = q[keep], normals[keep]
        self.lo, self.hi = q.min(axis=1), q.max(axis=1)
        self.axis = np.abs(normals).argmax(axis=1)
        self.sign = np.sign(normals[np.arange(len(q)), self.axis])
        self.at = self.lo[np.arange(len(q)), self.axis]

    def __len__(self) -> int:
        return len(self.at)

    def where(self, mask: np.ndarray) -> Rects:
        picked = object.__new__(Rects)
        picked.lo, picked.hi, picked.axis = self.lo[mask], self.hi[mask], self.axis[mask]
        picked.sign, picked.at = self.sign[mask], self.at[mask]
        return picked

    def in_plane(self, axis: int, at: float, sign: float | None = None) -> Rects:
        mask = (self.axis == axis) & (np.abs(self.at - at) < EPS)
        return self.where(mask if sign is None else mask & (self.sign == sign))


def coverage(rects: Rects, axes: tuple[int, int], lo: tuple[float, float], hi: tuple[float, float],
             holes: Rects | None = None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """How many rects cover the middle of each cell of the arrangement of all their edges (and the
    holes') inside lo..hi, and whether that middle is inside a hole."""
    middles = []
    for k, axis in enumerate(axes):
        cuts = [lo[k], hi[k], *rects.lo[:, axis], *rects.hi[:, axis]]
        if holes is not None:
            cuts += [*holes.lo[:, axis], *holes.hi[:, axis]]
        cuts = np.sort(np.clip(cuts, lo[k], hi[k]))
        cuts = cuts[np.r_[True, np.diff(cuts) > EPS]]  # float32 corners: one cut per edge
        middles.append((cuts[1:] + cuts[:-1]) / 2)
    a, b = (m.ravel() for m in np.meshgrid(*middles, indexing="ij"))

    def inside(r: Rects) -> np.ndarray:
        i, j = axes
        return (
            (a[:, None] > r.lo[None, :, i]) & (a[:, None] < r.hi[None, :, i])
            & (b[:, None] > r.lo[None, :, j]) & (b[:, None] < r.hi[None, :, j])
        )  # fmt: skip

    in_hole = inside(holes).any(axis=1) if holes is not None and len(holes) else np.zeros(len(a), bool)
    return inside(rects).sum(axis=1), in_hole


def glass_of(plan: LevelPlan) -> Rects:
    mesh = plan.meshes["windows"]
    return Rects(mesh, mesh.material_indices == mesh.materials.index("window_glass"))


def inner_plane(plan: LevelPlan, axis: int, sign: float) -> float:
    """Where the court-side face of the wall facing `sign` along `axis` stands."""
    t = plan.spec.wall_thickness
    size = plan.size_m[axis]
    return t / 2 if sign > 0 else size - t / 2


def joined_groups(mesh: MeshArrays) -> np.ndarray:
    """A label per face: faces that share a corner, directly or through others, share a label."""
    corners = np.round(quad_corners(mesh), 4).reshape(-1, 3)
    _, vertex = np.unique(corners, axis=0, return_inverse=True)
    vertex = vertex.reshape(-1, 4)
    label = np.arange(mesh.face_count)
    while True:
        lowest = np.full(vertex.max() + 1, mesh.face_count)
        np.minimum.at(lowest, vertex.ravel(), np.repeat(label, 4))
        joined = lowest[vertex].min(axis=1)
        if (joined == label).all():
            return label
        label = joined


# ---------------------------------------------------------------------------------------------
# The court


@given(courts)
def test_the_court_is_one_open_area_without_walls_or_pillars(spec: LevelSpec) -> None:
    layout = plan_level(spec).layout
    assert not layout.walls_h.any() and not layout.walls_v.any() and not layout.solid.any()
    assert walkable_components(layout) == 1


def test_the_court_is_open_to_the_sky_and_paved() -> None:
    plan = plan_level(court())
    style = STYLES["LEVEL_188"]
    assert not style.ceiling
    assert "ceiling" not in plan.meshes and "fixtures" not in plan.meshes
    assert plan.meshes["floor"].materials == ("courtyard_paving",)
    assert set(FEATURES) <= set(plan.meshes)
    assert all(v > 0 for v in style.world_rgb) and style.world_strength > 0, "lit by the sky"
    recipes = load_recipes()
    for kind, mesh in plan.meshes.items():
        assert set(mesh.materials) <= set(recipes), kind


def test_a_closed_perimeter_gets_plain_walls_and_no_second_wall_over_them() -> None:
    plan = plan_level(court(perimeter=True))
    assert plan.meshes["walls"].face_count > 0
    assert not set(FEATURES) & set(plan.meshes)


# ---------------------------------------------------------------------------------------------
# Windows


@given(courts)
def test_every_window_sits_in_a_perimeter_wall_below_its_top(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    if "windows" not in plan.meshes:
        longest = max(spec.width, spec.depth) * spec.cell_size - spec.wall_thickness
        assert longest < ROOM_W or spec.wall_height < ROOM_H + 0.2, "no wall holds a window"
        return
    glass, t = glass_of(plan), spec.wall_thickness
    for k in range(len(glass)):
        axis, sign = int(glass.axis[k]), float(glass.sign[k])
        assert axis != 2, "glass stands upright"
        inner = inner_plane(plan, axis, sign)
        depth = (inner - glass.at[k]) * sign  # how far into the wall, from the court side
        assert 0 < depth < t, "inside the wall's thickness"
        along = 1 - axis
        assert glass.lo[k, along] > t / 2 - EPS and glass.hi[k, along] < plan.size_m[along] - t / 2 + EPS
        assert glass.lo[k, 2] > 0 and glass.hi[k, 2] < spec.wall_height


@given(courts)
def test_windows_are_identical_and_apart(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    if "windows" not in plan.meshes:
        return
    glass = glass_of(plan)
    along = 1 - glass.axis
    width = glass.hi[np.arange(len(glass)), along] - glass.lo[np.arange(len(glass)), along]
    height = glass.hi[:, 2] - glass.lo[:, 2]
    assert np.ptp(width) < EPS and np.ptp(height) < EPS, "one size"
    centre = (glass.lo + glass.hi) / 2
    for k in range(len(glass)):
        same_wall = (glass.axis == glass.axis[k]) & (glass.sign == glass.sign[k]) & (np.arange(len(glass)) != k)
        apart_along = np.abs(centre[same_wall, along[k]] - centre[k, along[k]]) > width[k]
        apart_up = np.abs(centre[same_wall, 2] - centre[k, 2]) > height[k]
        assert (apart_along | apart_up).all(), "no overlap"
    # Every window is made of the same faces: the faces nearest each pane, by material and area.
    mesh = plan.meshes["windows"]
    middles = quad_corners(mesh).mean(axis=1)
    nearest = np.linalg.norm(middles[:, None] - centre[None], axis=2).argmin(axis=1)
    faces = np.column_stack([mesh.material_indices, mesh.areas()])
    parts = [np.array(sorted(faces[nearest == k].tolist())) for k in range(len(glass))]
    assert all(part.shape == parts[0].shape and np.allclose(part, parts[0], atol=1e-5) for part in parts)
    assert len(parts[0]) > 10, "a frame, bars and a ledge round the glass"


def test_windows_fill_the_walls_in_rows_and_columns() -> None:
    low, tall = plan_level(court(wall_height=2.8)), plan_level(court(wall_height=6.0))
    rows = [len(np.unique(np.round(glass_of(plan).lo[:, 2], 3))) for plan in (low, tall)]
    assert rows[0] >= 1 and rows[1] > rows[0]
    glass = glass_of(tall)
    for axis, sign in ((1, 1), (1, -1), (0, 1), (0, -1)):
        wall = (glass.axis == axis) & (glass.sign == sign)
        columns = np.unique(np.round(glass.lo[wall, 1 - axis], 3))
        assert wall.sum() == len(columns) * rows[1], "a full grid on every wall"
        assert len(columns) >= 2


@settings(max_examples=20)
@given(courts, st.integers(0, 1 << 40), st.tuples(st.integers(-999, 999), st.integers(-999, 999)), st.floats(0, 1))
def test_windows_depend_on_the_region_and_spec_only(
    spec: LevelSpec, seed: int, origin: tuple[int, int], density: float
) -> None:
    first, again = plan_level(spec), plan_level(spec)
    other = plan_level(spec.replace(seed=seed, origin=list(origin), density=density))
    for kind in FEATURES:
        if kind in first.meshes:
            for plan in (again, other):
                assert np.array_equal(plan.meshes[kind].vertices, first.meshes[kind].vertices)
                assert np.array_equal(plan.meshes[kind].material_indices, first.meshes[kind].material_indices)
        else:
            assert kind not in again.meshes and kind not in other.meshes


# ---------------------------------------------------------------------------------------------
# Rooms


@given(courts)
def test_each_window_has_a_closed_room_behind_it_outside_the_court(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    if "windows" not in plan.meshes:
        assert "rooms" not in plan.meshes
        return
    glass, mesh, t = glass_of(plan), plan.meshes["rooms"], spec.wall_thickness
    group = joined_groups(mesh)
    rooms = Rects(mesh)
    assert len(np.unique(group)) == len(glass), "one room per window"
    for k in range(len(glass)):
        axis, sign = int(glass.axis[k]), float(glass.sign[k])
        normal = np.zeros(3)
        normal[axis] = sign
        behind = (glass.lo[k] + glass.hi[k]) / 2 - normal * (t + ROOM_D / 2)
        mine = [g for g in np.unique(group) if _contains(rooms.where(group == g), behind)]
        assert len(mine) == 1, "exactly one room behind the window"
        room = rooms.where(group == mine[0])
        lo, hi = room.lo.min(axis=0), room.hi.max(axis=0)
        outer = inner_plane(plan, axis, sign) - sign * t
        assert (hi[axis] if sign > 0 else -lo[axis]) <= sign * outer + EPS, "beyond the wall's outer face"
        size = hi - lo
        assert abs(size[1 - axis] - ROOM_W) < 1e-3 and abs(size[axis] - ROOM_D) < 1e-3
        assert abs(size[2] - ROOM_H) < 1e-3 and hi[2] <= spec.wall_height + EPS
        assert lo[2] <= glass.lo[k, 2] and glass.hi[k, 2] <= hi[2]
        _closed_but_for(room, lo, hi, glass.where(np.arange(len(glass)) == k), axis, sign)


def _contains(room: Rects, point: np.ndarray) -> bool:
    lo, hi = room.lo.min(axis=0), room.hi.max(axis=0)
    return bool(((point > lo) & (point < hi)).all())


def _closed_but_for(room: Rects, lo: np.ndarray, hi: np.ndarray, pane: Rects, axis: int, sign: float) -> None:
    """Every face on the box, looking in; the box's surface covered once, but for the window."""
    on_box = np.zeros(len(room), bool)
    for k in range(3):
        for at, inward in ((lo[k], 1.0), (hi[k], -1.0)):
            side = (room.axis == k) & (np.abs(room.at - at) < EPS)
            assert (room.sign[side] == inward).all(), "faces look into the room"
            on_box |= side
            others = tuple(i for i in range(3) if i != k)
            front = k == axis and (at - hi[k] if sign > 0 else lo[k] - at) > -EPS
            holes = pane if front else None
            count, in_hole = coverage(room.where(side), others, (lo[others[0]], lo[others[1]]),
                                      (hi[others[0]], hi[others[1]]), holes)  # fmt: skip
            assert (count == np.where(in_hole, 0, 1)).all(), "closed, open only at the window"
    assert on_box.all(), "nothing but the box's faces"


# ---------------------------------------------------------------------------------------------
# The enclosing walls


@given(courts)
def test_the_walls_are_open_exactly_where_the_windows_are(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    if "court_walls" not in plan.meshes:
        return
    walls = Rects(plan.meshes["court_walls"])
    glass = glass_of(plan) if "windows" in plan.meshes else None
    t, size = spec.wall_thickness, plan.size_m
    for axis, sign in ((1, 1.0), (1, -1.0), (0, 1.0), (0, -1.0)):
        inner = walls.in_plane(axis, inner_plane(plan, axis, sign), sign)
        along = 1 - axis
        panes = None if glass is None else glass.where((glass.axis == axis) & (glass.sign == sign))
        count, in_hole = coverage(inner, (along, 2), (t / 2, 0.0), (size[along] - t / 2, spec.wall_height), panes)
        assert (count == np.where(in_hole, 0, 1)).all(), "the court side is one face deep, open at the windows"
    if glass is not None:
        _nothing_in_front_of_or_behind_the_glass(walls, glass, t)


def _nothing_in_front_of_or_behind_the_glass(walls: Rects, glass: Rects, t: float) -> None:
    """Lines through the glass, from the court to the room, cross no wall face."""
    fractions = np.linspace(0.1, 0.9, 5)
    for k in range(len(glass)):
        axis, sign = int(glass.axis[k]), float(glass.sign[k])
        along = 1 - axis
        crossing = walls.where(walls.axis == axis)
        near = sign * (crossing.at - glass.at[k])  # > 0: on the court side of the glass
        between = (near > -(t + ROOM_D / 2)) & (near < t)
        a = glass.lo[k, along] + fractions * (glass.hi[k, along] - glass.lo[k, along])
        z = glass.lo[k, 2] + fractions * (glass.hi[k, 2] - glass.lo[k, 2])
        a, z = (m.ravel() for m in np.meshgrid(a, z))
        hits = (
            between[None]
            & (a[:, None] > crossing.lo[None, :, along]) & (a[:, None] < crossing.hi[None, :, along])
            & (z[:, None] > crossing.lo[None, :, 2]) & (z[:, None] < crossing.hi[None, :, 2])
        )  # fmt: skip
        assert not hits.any(), "no wall face covers the glass"


# ---------------------------------------------------------------------------------------------
# Mesh validity


@given(courts)
def test_feature_meshes_are_valid_quads_in_valid_pieces(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    for kind in FEATURES:
        if kind not in plan.meshes:
            continue
        mesh = plan.meshes[kind]
        n = mesh.face_count
        assert n > 0
        assert mesh.faces.shape == (n, 4) and mesh.vertices.shape == (4 * n, 3) and mesh.uvs.shape == (4 * n, 2)
        assert mesh.lightmap is not None and mesh.lightmap.shape == (4 * n, 2)
        assert np.isfinite(mesh.vertices).all() and np.isfinite(mesh.uvs).all()
        assert ((mesh.material_indices >= 0) & (mesh.material_indices < len(mesh.materials))).all()
        assert ((mesh.pieces >= 0) & (mesh.pieces < plan.pieces.count)).all()
        assert mesh.areas().min() > 1e-4, "no degenerate faces"
        assert planarity_error(mesh) < 1e-4
        box = quad_corners(mesh).max(axis=1) - quad_corners(mesh).min(axis=1)
        assert ((box < 1e-4).sum(axis=1) == 1).all(), "axis-aligned rectangles"
        keys = {tuple(sorted(map(tuple, np.round(q, 4).tolist()))) for q in quad_corners(mesh)}
        assert len(keys) == n, "no duplicate faces"


@pytest.mark.parametrize("width, depth", [(1, 1), (2, 9), (12, 12)])
def test_small_and_narrow_courts_still_close(width: int, depth: int) -> None:
    plan = plan_level(court(width=width, depth=depth))
    walls = Rects(plan.meshes["court_walls"])
    t = plan.spec.wall_thickness
    for axis, sign in ((1, 1.0), (1, -1.0), (0, 1.0), (0, -1.0)):
        inner = walls.in_plane(axis, inner_plane(plan, axis, sign), sign)
        assert len(inner) > 0, "every side has its wall"
    roof = walls.in_plane(2, plan.spec.wall_height, 1.0)
    lo, hi = roof.lo.min(axis=0), roof.hi.max(axis=0)
    assert lo[0] < -t and lo[1] < -t and hi[0] > plan.size_m[0] + t and hi[1] > plan.size_m[1] + t
