"""Troffers instanced in runs (core/plan.py in_runs): the same troffers, fewer instances."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.geometry import quad_mesh
from backrooms_addon.core.lightmap import with_lightmap
from backrooms_addon.core.plan import RUN_LONGEST, FixtureInstances, Variant, in_runs
from backrooms_addon.core.styles import style_of

STEP = 4.8


def _model(width: float) -> Variant:
    """A variant of two quads (a body and a lid) `width` wide, its lightmap packed."""
    corners = np.array(
        [
            [(-width / 2, -0.3, 0), (width / 2, -0.3, 0), (width / 2, 0.3, 0), (-width / 2, 0.3, 0)],
            [(-width / 2, -0.3, -0.1), (width / 2, -0.3, -0.1), (width / 2, 0.3, -0.1), (-width / 2, 0.3, -0.1)],
        ]
    )
    mesh = quad_mesh(corners, corners[:, :, :2], np.array([0, 1], np.int32), ("frame", "diffuser"))
    return Variant(len(str(width)) % 3, with_lightmap(mesh))


def _expanded(found: FixtureInstances) -> Counter[tuple[object, ...]]:
    """Every model a set of instances places: (position rounded, state, piece, base model's vertices)."""
    placed: Counter[tuple[object, ...]] = Counter()
    rows = zip(found.positions, found.pieces, found.variants, found.states, strict=True)
    for position, piece, variant, state in rows:
        kind = found.kinds[variant]
        size = len(kind.mesh.vertices) // kind.run
        for copy in range(kind.run):
            vertices = kind.mesh.vertices[copy * size : (copy + 1) * size]
            at = position + np.array([copy * STEP, 0.0, 0.0])
            base = np.round(vertices.astype(np.float64) - [copy * STEP, 0.0, 0.0], 4).tobytes()
            placed[(tuple(np.round(at, 4).tolist()), int(state), int(piece), base)] += 1
    return placed


grids = st.lists(
    st.tuples(st.integers(0, 12), st.integers(0, 3), st.integers(0, 1), st.integers(0, 1)), min_size=0, max_size=80
)


@settings(max_examples=60)
@given(grids, st.integers(1, 5))
def test_runs_place_the_same_models_at_the_same_places(cells: list[tuple[int, int, int, int]], longest: int) -> None:
    """Whatever the instances (in any order, some side by side, some not, several variants, pieces
    and states), the runs place exactly the same models, none holding more than `longest`."""
    cells = list(dict.fromkeys(cells))  # one instance per (column, row, variant, piece) at most
    kinds = (_model(0.6), _model(1.2))
    positions = np.array([(column * STEP + 0.3, row * 2.4, 2.8) for column, row, _, _ in cells], np.float64)
    found = FixtureInstances(
        positions.reshape(-1, 3),
        np.array([piece for *_, piece in cells], np.int32),
        np.array([variant for _, _, variant, _ in cells], np.int32),
        np.array([kinds[variant].state for _, _, variant, _ in cells], np.int8),
        kinds,
    )
    runs = in_runs(found, STEP, longest)
    assert _expanded(runs) == _expanded(found)
    assert len(runs.positions) <= len(found.positions)
    assert all(1 <= kind.run <= longest for kind in runs.kinds)
    assert len({(kind.mesh.vertices.tobytes(), kind.state) for kind in runs.kinds}) == len(runs.kinds), "no twins"
    for kind in runs.kinds:
        assert kind.mesh.face_count == kind.run * 2 and kind.mesh.materials == ("frame", "diffuser")
        lightmap = kind.mesh.lightmap.reshape(kind.run, -1, 2)
        assert lightmap.min() >= 0 and lightmap.max() <= 1
        for copy in range(kind.run - 1):  # each copy's lightmap in a column of its own
            assert lightmap[copy, :, 0].max() <= lightmap[copy + 1, :, 0].min()


def test_neighbours_join_only_exactly_a_step_apart_in_one_row_variant_and_piece() -> None:
    kinds = (_model(0.6), _model(1.2))
    positions = np.array(
        [(0, 0, 2.8), (STEP, 0, 2.8), (2 * STEP, 0, 2.8)]
        + [(column * STEP + 0.01, 0, 2.8) for column in (3, 4, 5)]
        + [(column * STEP + 0.01, 0.5, 2.8) for column in (6, 7)],
        np.float64,
    )
    found = FixtureInstances(
        positions,
        np.array([0, 0, 0, 0, 0, 1, 1, 1], np.int32),
        np.array([0, 0, 0, 0, 0, 0, 0, 1], np.int32),
        np.zeros(8, np.int8),
        kinds,
    )
    runs = in_runs(found, STEP)
    # [0, 1, 2] a step apart; [3, 4] too, 0.01 off the first run; 5 in another piece; 6 another
    # row; 7 another variant.
    assert [runs.kinds[variant].run for variant in runs.variants] == [3, 2, 1, 1, 1]
    np.testing.assert_array_equal(runs.positions, positions[[0, 3, 5, 6, 7]])


def test_a_default_level_syncs_a_fraction_of_its_troffers() -> None:
    plan = plan_level(LevelSpec(seed=3, width=96, depth=96, flicker_fraction=0.1, dead_fraction=0.05))
    copies = plan.meshes.copies
    assert copies is not None
    single, runs = copies.instances(), copies.instanced()
    style = style_of(plan.spec.style)
    assert style.fixture_spacing * plan.spec.cell_size == STEP
    assert _expanded(runs) == _expanded(single)
    assert len(runs.positions) < 0.6 * len(single.positions)
    assert max(kind.run for kind in runs.kinds) == RUN_LONGEST
    assert {kind.state for kind in runs.kinds} == set(plan.fixture_states.tolist())
    # Blender holds each variant's model once: its faces are the runs' models'.
    built = sum(plan.meshes.face_count(kind) for kind in plan.meshes if kind not in plan.meshes.instanced)
    assert plan.uploaded_face_count() == built + sum(kind.mesh.face_count for kind in runs.kinds)
