"""Level 2, Pipe Dreams: narrow tunnels, and pipes along every wall that keep out of the way,
turn with the tunnels, stop short of stairwells and agree across region borders."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from level_checks import geometry_specs, inside_walls, planarity_error, preset_specs

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.collision import collision_mesh
from backrooms_addon.core.cost import estimate_cost
from backrooms_addon.core.geometry import MeshArrays
from backrooms_addon.core.layout import Layout
from backrooms_addon.core.levels import preset_spec
from backrooms_addon.core.pipes import BUNDLE, CEILING_GAP_M, HEADROOM_M, HUG_M, PIPES, fits
from backrooms_addon.core.plan import LevelPlan, troffer_size
from backrooms_addon.core.registry import style_features
from backrooms_addon.core.troffer import DIFFUSER, HANG, template, troffer_kind

# The plan's meshes for preset_spec("LEVEL_2", seed=21, width=24, depth=16), the same bytes on
# every numpy version.
GOLDEN_PLAN = "3181df25a637c0c3da1c1c29c36f164a5272f6d46c46672a03d6428586c5315a"

tunnels = preset_specs(
    "LEVEL_2", smallest=3, far=300, floors=st.integers(1, 2), pitfall_density=st.sampled_from([0.0, 0.2])
)


def _corners(mesh: MeshArrays) -> np.ndarray:
    return mesh.vertices.reshape(-1, 4, 3).astype(np.float64)


def _floor_of(plan: LevelPlan, z: np.ndarray) -> np.ndarray:
    bases = np.array([floor.base_z for floor in plan.floors])
    return np.searchsorted(bases, z + 1e-6, side="right") - 1


@settings(max_examples=25, deadline=None)
@given(spec=tunnels, height=st.sampled_from([2.2, 2.3, 2.4, 3.0]), headers=st.booleans())
def test_pipes_stay_overhead_or_against_a_wall_and_out_of_the_walls(
    spec: LevelSpec, height: float, headers: bool
) -> None:
    spec = spec.replace(wall_height=height, door_height=2.1 if headers else height)
    plan = plan_level(spec)
    pipes = plan.meshes.get("pipes")
    if pipes is None:
        return
    assert pipes.areas().min() > 1e-5 and planarity_error(pipes) < 1e-4
    points = pipes.vertices.astype(np.float64)
    floor = _floor_of(plan, points[:, 2])
    local = points[:, 2] - np.array([plan.floors[f].base_z for f in floor])
    assert (local <= spec.wall_height - CEILING_GAP_M + 1e-4).all(), "clear of the ceiling and its fixtures"
    cell, half = spec.cell_size, spec.wall_thickness / 2
    to_line = np.minimum(*(np.abs(points[:, k] - np.rint(points[:, k] / cell) * cell) for k in (0, 1)))
    low = local < HEADROOM_M - 1e-4
    assert (to_line[low] <= half + HUG_M + 1e-4).all(), "below head height only against a wall"
    for index, story in enumerate(plan.floors):
        mine = floor == index
        assert not inside_walls(story.layout, cell, spec.wall_thickness - 2e-3, points[mine]).any()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pipes_leave_stairwell_openings_and_stairs_clear(seed: int) -> None:
    """Thinned tunnels with pitfalls (the preset's own tunnels: tests/core/test_stacked_tunnels.py)."""
    spec = preset_spec("LEVEL_2", seed=seed, width=24, depth=24, floors=2, density=0.2, pitfall_density=0.2)
    plan = plan_level(spec)
    middles = _corners(plan.meshes["pipes"]).mean(axis=1)
    cell, found = spec.cell_size, 0
    for index, story in enumerate(plan.floors):
        blocked = story.ceiling_holes | story.occupied
        found += int(blocked.sum())
        mine = _floor_of(plan, middles[:, 2]) == index
        x, y = middles[mine, 0] / cell, middles[mine, 1] / cell
        strictly = (np.abs(x - np.rint(x)) > 1e-3) & (np.abs(y - np.rint(y)) > 1e-3)
        cx, cy = np.floor(x[strictly]).astype(int), np.floor(y[strictly]).astype(int)
        assert not blocked[cy, cx].any()
    assert found, "the levels have stairwells"


def _main_pipe_covers(pipes: MeshArrays, point: np.ndarray, along: int) -> bool:
    """Whether the main pipe passes through `point` along axis `along`: its sides all round it."""
    quads = _corners(pipes)
    lo, hi = quads[:, :, along].min(axis=1), quads[:, :, along].max(axis=1)
    middle = quads.mean(axis=1)
    others = [k for k in (0, 1, 2) if k != along]
    near = np.hypot(*(middle[:, k] - point[k] for k in others)) < BUNDLE[0].radius + 1e-3
    return int((near & (lo <= point[along]) & (hi >= point[along])).sum()) >= BUNDLE[0].sides


@pytest.mark.parametrize("seed", [2, 5])
def test_the_main_pipe_runs_along_both_faces_of_every_wall(seed: int) -> None:
    spec = preset_spec("LEVEL_2", seed=seed, width=10, depth=8)
    plan = plan_level(spec)
    layout, pipes = plan.floors[0].layout, plan.meshes["pipes"]
    cell, main = spec.cell_size, BUNDLE[0]
    away = spec.wall_thickness / 2 + main.offset
    z = spec.wall_height - main.drop
    checked = 0
    for j, i in zip(*np.nonzero(layout.walls_h[1:-1]), strict=True):
        for side in (-1, 1):
            point = np.array([(i + 0.5) * cell, (j + 1) * cell + side * away, z])
            assert _main_pipe_covers(pipes, point, along=0), (i, j + 1, side)
            checked += 1
    for j, i in zip(*np.nonzero(layout.walls_v[:, 1:-1]), strict=True):
        for side in (-1, 1):
            point = np.array([(i + 1) * cell + side * away, (j + 0.5) * cell, z])
            assert _main_pipe_covers(pipes, point, along=1), (i + 1, j, side)
            checked += 1
    assert checked > 40


def test_no_pipe_runs_where_no_wall_is() -> None:
    """Every face of the main pipe lies within its offset of some wall (its bundle's reach)."""
    spec = preset_spec("LEVEL_2", seed=3, width=10, depth=8)
    plan = plan_level(spec)
    pipes, layout = plan.meshes["pipes"], plan.floors[0].layout
    reach = spec.wall_thickness / 2 + max(p.offset + p.radius for p in BUNDLE) + 1e-3
    middles = _corners(pipes).mean(axis=1)
    assert inside_walls(layout, spec.cell_size, 2 * reach, middles).all()


def _boxes(mesh: MeshArrays, shift: tuple[float, float]) -> np.ndarray:
    """Each face as its bounding box (min and max corner), whatever order its corners come in."""
    corners = _corners(mesh) + np.array([shift[0], shift[1], 0.0])
    return np.concatenate([corners.min(axis=1), corners.max(axis=1)], axis=1)


def _same_faces(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether the boxes of `a` and `b` pair up within float noise: both sorted along one skew
    direction, each box has its twin among the few at about the same place in the other."""
    if len(a) != len(b):
        return False
    skew = np.array([1.0, 1.37, 1.71, 1.13, 1.53, 1.89])
    a, b = a[np.argsort(a @ skew)], b[np.argsort(b @ skew)]
    padded = np.pad(b, ((8, 8), (0, 0)), constant_values=np.inf)
    gaps = [np.abs(a - padded[8 + shift : 8 + shift + len(a)]).max(axis=1) for shift in range(-8, 9)]
    return bool(np.min(gaps, axis=0).max() < 1e-4)


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    origin=st.tuples(st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6)),
    along_x=st.booleans(),
    floors=st.integers(1, 2),
)
@example(seed=0, origin=(1, 16), along_x=True, floors=2)  # a stairwell cleared in the ring round a half
def test_neighbouring_regions_have_the_same_pipes(
    seed: int, origin: tuple[int, int], along_x: bool, floors: int
) -> None:
    """Two regions side by side hold the pipes of the region they make up, face for face (pieces
    one chunk across, so the cut is a piece border in both), wherever the cut falls in the chunks;
    stacked, round the stairwells cleared out of the tunnels too."""
    spec = preset_spec(
        "LEVEL_2", seed=seed, width=32, depth=32, perimeter=False, piece_chunks=1, origin=origin, floors=floors
    )
    whole = plan_level(spec).meshes["pipes"]
    size = {"width": 16} if along_x else {"depth": 16}
    first = plan_level(spec.replace(**size)).meshes["pipes"]
    moved = (origin[0] + 16, origin[1]) if along_x else (origin[0], origin[1] + 16)
    second = plan_level(spec.replace(**size, origin=moved)).meshes["pipes"]
    offset = (16 * spec.cell_size, 0.0) if along_x else (0.0, 16 * spec.cell_size)
    halves = np.concatenate([_boxes(first, (0, 0)), _boxes(second, offset)])
    assert _same_faces(_boxes(whole, (0, 0)), halves)


def _corridor_share(layout: Layout) -> float:
    """Share of cells open on exactly two sides: passages, not rooms or dead ends."""
    open_sides = (
        (~layout.walls_h[1:]).astype(int) + ~layout.walls_h[:-1] + ~layout.walls_v[:, 1:] + ~layout.walls_v[:, :-1]
    )
    return float((open_sides == 2).mean())


def test_the_tunnels_are_mostly_narrow_passages() -> None:
    tunnels_share = _corridor_share(plan_level(preset_spec("LEVEL_2", seed=4, width=48, depth=48)).floors[0].layout)
    lobby_share = _corridor_share(plan_level(preset_spec("LEVEL_0", seed=4, width=48, depth=48)).floors[0].layout)
    assert tunnels_share > 0.6 and tunnels_share > 2 * lobby_share, (tunnels_share, lobby_share)


def test_level_2_has_its_pipes_in_collision_and_in_the_estimate() -> None:
    assert PIPES in style_features("LEVEL_2")
    spec = preset_spec("LEVEL_2", seed=4, width=24, depth=24)
    plan = plan_level(spec)
    without = plan_level(spec.replace(style="LEVEL_0"))
    assert collision_mesh(plan).face_count >= plan.meshes["pipes"].face_count
    assert "pipes" not in without.meshes
    real = plan.meshes["pipes"].face_count
    assert PIPES.faces(spec) == pytest.approx(real, rel=0.15)
    assert estimate_cost(spec).faces == pytest.approx(plan.face_count(), rel=0.25)


def test_a_low_ceiling_or_narrow_cells_drop_the_pipes_that_would_be_in_the_way() -> None:
    spec = preset_spec("LEVEL_2")
    assert all(fits(pipe, spec) for pipe in BUNDLE)
    low = spec.replace(wall_height=2.2, door_height=2.2)
    assert not all(fits(pipe, low) for pipe in BUNDLE)
    narrow = spec.replace(cell_size=1.0)
    kept = [pipe for pipe in BUNDLE if fits(pipe, narrow)]
    assert len(kept) < len(BUNDLE)
    for pipe in kept:
        assert narrow.cell_size - narrow.wall_thickness - 2 * (pipe.offset + pipe.radius) > 0.2


def test_the_plan_matches_its_golden_hash() -> None:
    plan = plan_level(preset_spec("LEVEL_2", seed=21, width=24, depth=16))
    sha = hashlib.sha256()
    for kind in sorted(plan.meshes):
        mesh = plan.meshes[kind]
        for array in (mesh.vertices, mesh.uvs, mesh.material_indices, mesh.pieces):
            sha.update(np.ascontiguousarray(array).tobytes())
    assert sha.hexdigest() == GOLDEN_PLAN


@settings(max_examples=40)
@given(spec=geometry_specs)
def test_only_a_bulkhead_style_gets_the_caged_lamps(spec: LevelSpec) -> None:
    """A troffer or strip shrunk to fit the smallest cells stays a troffer."""
    assert troffer_kind(troffer_size(spec)) != "Bulkhead 32x32"
    assert troffer_kind(troffer_size(spec.replace(style="LEVEL_2"))) == "Bulkhead 32x32"


def test_the_bulkhead_is_a_shallow_lamp_with_a_cage_below_its_glass() -> None:
    lamp = template("Bulkhead 32x32")
    quads = _corners(lamp)
    assert planarity_error(lamp) < 1e-6 and lamp.areas().min() > 1e-5
    glass = lamp.material_indices == DIFFUSER
    assert glass.sum() == 1 and np.allclose(quads[glass][:, :, 2], -HANG)
    cage = quads[:, :, 2].max(axis=1) <= -HANG + 1e-6
    assert (cage & ~glass).sum() == 4 * 5, "four bars of five faces"
    assert quads[:, :, 2].min() < -HANG - 0.02 and quads[:, :, 2].max() <= 0.0
    # Every face looks away from the middle of its box: the body (five faces), then each bar's five.
    boxes = quads.reshape(-1, 5, 4, 3)
    away = boxes.mean(axis=2) - boxes.reshape(len(boxes), -1, 3).mean(axis=1)[:, None, :]
    facing = np.einsum("bfk,bfk->bf", lamp.normals().reshape(-1, 5, 3), away)
    assert (facing > 0).all(), "every face looks outwards"
