"""LevelPlan: fixtures, lamps, spawn point and the layout JSON document."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from backrooms_addon.core import GENERATOR_VERSION, LevelSpec, plan_level
from backrooms_addon.core.plan import nearest
from backrooms_addon.core.recipes import TEXTURES_DIR, linear_color, load_recipes

specs = st.builds(
    LevelSpec,
    seed=st.integers(0, 1 << 62),
    width=st.integers(2, 40),
    depth=st.integers(2, 40),
    density=st.floats(0.0, 1.0),
)


def _walk_until_wall(plan, x: int, y: int, dx: int, dy: int) -> int:
    """Cells from (x, y) to the first wall or pillar in direction (dx, dy), stepping cell by cell."""
    layout, cells = plan.floors[0].layout, 0
    if layout.solid[y, x]:
        return 0
    while True:
        cells += 1
        blocked = layout.walls_v[y, x + 1] if dx else layout.walls_h[y + 1, x]
        if blocked or layout.solid[y + dy, x + dx]:
            return cells
        x, y = x + dx, y + dy


@given(specs)
def test_spawn_looks_down_the_longest_sightline(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    x = int(plan.spawn.position[0] / spec.cell_size)
    y = int(plan.spawn.position[1] / spec.cell_size)
    assert 0 <= x < spec.width and 0 <= y < spec.depth
    assert plan.spawn.position[2] == 1.6
    dx, dy = (1, 0) if plan.spawn.yaw == 0.0 else (0, 1)
    assert plan.spawn.yaw in (0.0, math.pi / 2)
    run = _walk_until_wall(plan, x, y, dx, dy)
    assert plan.spawn.sightline_m == run * spec.cell_size
    longest = max(
        _walk_until_wall(plan, cx, cy, ddx, ddy)
        for cx in range(spec.width)
        for cy in range(spec.depth)
        for ddx, ddy in ((1, 0), (0, 1))
    )
    assert run == longest


@given(specs)
def test_fixtures_sit_under_the_ceiling_in_cells(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    fixtures = plan.fixtures
    assert len(fixtures) <= math.ceil(spec.width / 2) * math.ceil(spec.depth / 2)
    assert (fixtures[:, 2] == spec.wall_height).all(), "troffers hang from the ceiling plane"
    hanging = plan.meshes["fixtures"].vertices[:, 2]
    if len(hanging):
        assert hanging.max() <= spec.wall_height + 1e-5 and hanging.min() > spec.wall_height - 0.05
    cell_offsets = (fixtures[:, :2] / spec.cell_size) % 1.0
    np.testing.assert_allclose(cell_offsets, 0.5, atol=1e-9)
    assert len(plan.lamps) == min(spec.light_budget, int((plan.fixture_states != 1).sum()))
    assert {tuple(p) for p in plan.lamps} <= {tuple(p) for p in fixtures}


def test_some_fixtures_are_missing_but_most_are_there() -> None:
    plan = plan_level(LevelSpec(seed=8, width=60, depth=60))
    grid_positions = 30 * 30
    assert 0.7 * grid_positions < len(plan.fixtures) < 0.95 * grid_positions


def test_layout_json_document() -> None:
    spec = LevelSpec(seed=7, width=12, depth=9, origin=(-40, 1000))
    plan = plan_level(spec)
    document = json.loads(json.dumps(plan.to_json()))
    assert document["format"] == "backrooms-layout"
    assert document["generator_version"] == GENERATOR_VERSION
    assert document["format_version"] == 5 and "style" in document["spec"] and "level" not in document["spec"]
    assert LevelSpec.from_dict(document["spec"]) == plan.spec
    assert document["seed"] == 7 and document["origin"] == [-40, 1000]
    assert (document["width"], document["depth"], document["chunk_size"]) == (12, 9, spec.chunk_size)
    assert document["cell_size"] == spec.cell_size
    assert document["layout_sha256"] == plan.layout.digest()
    cells = np.array(document["cells"])
    assert cells.shape == (9, 12)
    # cells[j][i] is world cell (origin_x + i, origin_y + j): check against a one-cell region there.
    for i, j in ((0, 0), (11, 8), (5, 3)):
        alone = plan_level(spec.replace(width=1, depth=1, origin=[-40 + i, 1000 + j])).layout.cells()
        assert cells[j][i] == alone[0, 0]
    assert document["spawn"]["position"] == list(plan.spawn.position)
    assert len(document["fixtures"]) == len(plan.fixtures)
    assert document["face_count"] == plan.face_count()
    assert document["features"] == [], "no pools, one floor without pitfalls"
    assert document["placed"] == {}, "no furniture"


def test_every_material_a_mesh_uses_has_a_recipe() -> None:
    recipes = load_recipes()
    plan = plan_level(LevelSpec())
    for mesh in plan.meshes.values():
        # Flickering diffusers are the lit diffuser's recipe with an animated emission.
        bases = {"fixture_diffuser" if m.startswith("fixture_flicker_") else m for m in mesh.materials}
        assert bases <= set(recipes)


def _srgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])


def test_recipe_colours_match_the_brief() -> None:
    recipes = load_recipes()
    wallpaper = _srgb(recipes["wallpaper"].base_color)
    assert (_srgb("#C9B458") <= wallpaper).all() and (wallpaper <= _srgb("#D8C36A")).all()
    carpet = _srgb(recipes["carpet"].base_color)
    assert np.abs(carpet - _srgb("#9C8A5C")).max() <= 16
    ceiling = _srgb(recipes["ceiling_tile"].base_color)
    assert np.abs(ceiling - _srgb("#D9D4BF")).max() <= 16
    assert recipes["fixture_diffuser"].emission_strength > 0
    linear = linear_color("#808080")
    assert abs(linear[0] - 0.2158605) < 1e-6  # sRGB 128 -> linear, per IEC 61966-2-1


def test_recipes_are_node_trees_with_shipped_textures() -> None:
    recipes = load_recipes()
    for recipe in recipes.values():
        types = {node.type for node in recipe.nodes.values()}
        assert {"ShaderNodeBsdfPrincipled", "ShaderNodeOutputMaterial"} <= types, recipe.name
        # Image textures, or a plain colour: either way the look survives a glTF export.
        assert recipe.images() or types == {"ShaderNodeBsdfPrincipled", "ShaderNodeOutputMaterial"}, recipe.name
        for path in recipe.images():
            assert path.parent == TEXTURES_DIR and path.stat().st_size < 256 * 1024


def test_textures_are_made_by_the_script_and_tile() -> None:
    import importlib.util

    from paths import ROOT

    spec = importlib.util.spec_from_file_location("make_textures", ROOT / "materials" / "make_textures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    image = module.wallpaper()["color"]
    # Seamless: the jump across the tile's edge is no bigger than between neighbouring pixels inside.
    inside = np.abs(np.diff(image, axis=1)).mean()
    across = np.abs(image[:, 0] - image[:, -1]).mean()
    assert across < 3 * inside
    carpet = module.carpet()["color"]
    assert np.abs(carpet[0] - carpet[-1]).mean() < 3 * np.abs(np.diff(carpet, axis=0)).mean()


def test_fixture_copies_are_built_only_when_read_and_match_the_instances() -> None:
    """Blender instances the troffers; the copies (a game export's) are built on demand, the same
    troffers at the same places with the same materials."""
    plan = plan_level(LevelSpec(seed=5, width=30, depth=20, flicker_fraction=0.2, dead_fraction=0.1))
    meshes = plan.meshes
    assert "fixtures" in meshes and "fixtures" in meshes.instanced
    assert "fixtures" not in meshes._built, "planning leaves the copies out"
    faces = plan.face_count()
    assert "fixtures" not in meshes._built, "counting them does not build them"
    copies = meshes["fixtures"]
    assert faces == sum(mesh.face_count for mesh in meshes.values())
    found = meshes.copies.instances()
    np.testing.assert_array_equal(found.positions, plan.fixtures)
    np.testing.assert_array_equal(found.states, plan.fixture_states)
    per = found.kinds[0].mesh.face_count
    assert copies.face_count == per * len(found.positions)
    # Copy k of the mesh is variant k's mesh moved to fixture k, its diffuser the state's material.
    quads = copies.vertices.reshape(len(found.positions), per * 4, 3)
    for k in range(0, len(found.positions), 7):
        variant = found.kinds[found.variants[k]]
        np.testing.assert_allclose(quads[k], variant.mesh.vertices + found.positions[k], atol=1e-5)
        materials = [copies.materials[i] for i in copies.material_indices[k * per : (k + 1) * per]]
        assert materials == [variant.mesh.materials[i] for i in variant.mesh.material_indices]
    # Blender instances them in runs (tests/core/test_runs.py): each run length's model once.
    runs = meshes.copies.instanced().kinds
    assert plan.uploaded_face_count() == faces - copies.face_count + per * sum(kind.run for kind in runs)


@given(
    st.lists(st.tuples(st.integers(-4, 4), st.integers(-4, 4)), max_size=60),
    st.integers(-2, 70),
)
def test_the_nearest_lamps_are_the_first_of_all_points_sorted_by_distance_then_index(
    grid: list[tuple[int, int]], count: int
) -> None:
    # Points on a small grid, so that many lie at the same distance: ties go to the lower index.
    points = np.array([(x, y, 2.5) for x, y in grid], np.float64).reshape(-1, 3)
    distance = np.linalg.norm(points[:, :2] - np.array([0.5, 0.0]), axis=1)
    expected = sorted(range(len(points)), key=lambda index: (distance[index], index))[:count]
    assert nearest(points, (0.5, 0.0, 1.6), count).tolist() == expected
