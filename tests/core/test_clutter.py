"""Level 1's crates and pipes: out of the way, facing out, where the world says."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from level_checks import planarity_error, preset_specs

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.clutter import CRATE, PIPE, PIPE_SIDES
from backrooms_addon.core.levels import preset_spec

basements = preset_specs("LEVEL_1", smallest=4, far=300, pitfall_density=st.sampled_from([0.0, 0.2]))


@settings(max_examples=30, deadline=None)
@given(spec=basements)
def test_crates_stand_in_walled_corners_and_pipes_run_overhead(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    clutter = plan.meshes.get("clutter")
    if clutter is None:
        return
    assert clutter.areas().min() > 1e-5 and planarity_error(clutter) < 1e-4
    corners = clutter.vertices.reshape(-1, 4, 3).astype(np.float64)
    crates, pipes = clutter.material_indices == CRATE, clutter.material_indices == PIPE
    cell, half = spec.cell_size, spec.wall_thickness / 2
    floor = plan.floors[0]
    for face in corners[crates]:
        lo, hi = face.min(axis=0), face.max(axis=0)
        i, j = int(lo[0] // cell), int(lo[1] // cell)
        assert hi[0] <= (i + 1) * cell and hi[1] <= (j + 1) * cell, "a crate stays in its cell"
        assert lo[0] >= i * cell + half and lo[1] >= j * cell + half, "clear of the walls"
        assert floor.layout.walls_h[j, i] and floor.layout.walls_v[j, i], "in a walled corner"
        assert not floor.floor_holes[j, i] and not floor.layout.solid[j, i]
        assert hi[2] <= 2.5, "crates are at most head-high stacks"
    assert (corners[pipes][:, :, 2] > 2.5).all() and (corners[pipes][:, :, 2] < spec.wall_height).all()
    # Every face looks away from the middle of its box (five faces a box) or pipe (eight a length).
    normals = clutter.normals().astype(np.float64)
    for mask, group, axes in ((crates, 5, slice(0, 3)), (pipes, PIPE_SIDES, slice(1, 3))):
        if not mask.any():
            continue
        faces = corners[mask].reshape(-1, group, 4, 3)
        middle = faces.reshape(len(faces), -1, 3).mean(axis=1)[:, None, :]
        outward = (faces.mean(axis=2) - middle)[:, :, axes]
        along = normals[mask].reshape(-1, group, 3)[:, :, axes]
        assert (np.einsum("bfk,bfk->bf", along, outward) > 0).all()


def test_crates_and_pipes_are_seamless_and_only_in_level_1() -> None:
    spec = preset_spec("LEVEL_1", seed=9, width=40, depth=30, perimeter=False)
    whole = plan_level(spec).meshes["clutter"]
    west = plan_level(spec.replace(width=20)).meshes["clutter"]
    east = plan_level(spec.replace(width=20, origin=(20, 0))).meshes["clutter"]

    def crates(mesh, dx: float = 0.0) -> set:  # type: ignore[no-untyped-def]
        faces = mesh.vertices.reshape(-1, 4, 3)[mesh.material_indices == CRATE] + [dx, 0, 0]
        return {tuple(np.round(f.min(axis=0), 3)) for f in faces}

    assert crates(whole) == crates(west) | crates(east, 20 * spec.cell_size)
    assert crates(whole), "a 40 x 30 basement has crates"
    assert "clutter" not in plan_level(LevelSpec(seed=9)).meshes
