"""Floors of different styles: each its preset's look and grid, stacked by its own height, lined up."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backrooms_addon.core import InvalidSpecError, LevelSpec, plan_level
from backrooms_addon.core.collision import collision_mesh
from backrooms_addon.core.floors import SLAB_M, floor_height, floor_spec
from backrooms_addon.core.levels import LEVEL_PRESETS, preset_spec
from backrooms_addon.core.plan import LevelPlan
from backrooms_addon.core.spec import SETTING

FEW = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UNDER_SKY = ("LEVEL_0", "LEVEL_1", "LEVEL_37")  # styles with a ceiling: any floor may have them


@st.composite
def mixed(draw: st.DrawFn) -> LevelSpec:
    """A level of two to four floors of any styles (the Courtyard only on top), anywhere."""
    floors = draw(st.integers(2, 4))
    styles = [draw(st.sampled_from(UNDER_SKY)) for _ in range(floors - 1)]
    styles.append(draw(st.sampled_from((*UNDER_SKY, "LEVEL_188"))))
    given_styles = styles[: draw(st.integers(1, floors))]
    return preset_spec(
        styles[0],
        seed=draw(st.integers(0, 2**40)),
        width=draw(st.integers(8, 24)),
        depth=draw(st.integers(8, 24)),
        origin=(draw(st.integers(-500, 500)), draw(st.integers(-500, 500))),
        floors=floors,
        floor_styles=given_styles,
    )


def _digest(plan: LevelPlan) -> str:
    sha = hashlib.sha256()
    for kind in sorted(plan.meshes):
        mesh = plan.meshes[kind]
        sha.update(kind.encode() + mesh.vertices.tobytes() + mesh.uvs.tobytes() + mesh.material_indices.tobytes())
        sha.update(repr(mesh.materials).encode())
    return sha.hexdigest()


def test_a_floor_of_another_style_takes_that_presets_look_over_the_same_metres() -> None:
    spec = LevelSpec(seed=4, width=30, depth=20, origin=(10, -7), floors=3, floor_styles=("LEVEL_0", "LEVEL_1"))
    upper = floor_spec(spec, 1)
    level_1 = LEVEL_PRESETS["LEVEL_1"].values
    assert upper.style == "LEVEL_1"
    assert all(getattr(upper, key) == value for key, value in level_1.items()), "the preset's look and layout"
    assert upper.chunk_size == spec.chunk_size and upper.seed != spec.seed and upper.floor_styles == ()
    # 30 cells of 2.4 m are 72 m: 22.5 cells of 3.2 m, so 23; the origin scales the same way, rounded down.
    assert (upper.width, upper.depth, upper.origin) == (23, 15, (7, -6))
    assert floor_spec(spec, 2).style == "LEVEL_0" and floor_spec(spec, 2).cell_size == spec.cell_size
    assert floor_height(spec, 1) == pytest.approx(2.8 + SLAB_M)
    assert floor_height(spec, 2) == pytest.approx(2.8 + SLAB_M + 3.6 + SLAB_M)


@FEW
@given(spec=mixed())
def test_floors_stack_by_their_own_heights_and_line_up_in_metres(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    ground = plan.floors[0].spec
    below = 0.0
    for number, floor in enumerate(plan.floors):
        assert floor.spec.style == (spec.floor_styles[number] if number < len(spec.floor_styles) else spec.style)
        assert floor.base_z == pytest.approx(below), "the floors below and a slab over each"
        ceiling = floor.base_z + floor.spec.wall_height
        below = ceiling + SLAB_M
        for cells, size, ground_cells in ((floor.spec.width, floor.spec.cell_size, ground.width),
                                          (floor.spec.depth, floor.spec.cell_size, ground.depth)):  # fmt: skip
            extent, wanted = cells * size, ground_cells * ground.cell_size
            assert wanted - 1e-9 <= extent < wanted + size, "at least the ground floor's extent, a cell more at most"
        assert floor.floor_holes.shape == floor.layout.solid.shape == (floor.spec.depth, floor.spec.width)
    # No slab overlaps a floor: every vertex of a floor's walls lies between its ground and ceiling.
    tops = [floor.base_z + floor.spec.wall_height for floor in plan.floors]
    walls = plan.meshes["walls"].vertices[:, 2]
    in_some_room = np.zeros(len(walls), np.bool_)
    for floor, top in zip(plan.floors, tops, strict=True):
        in_some_room |= (walls >= floor.base_z - 1e-4) & (walls <= top + 1e-4)
    assert in_some_room.all()
    for mesh in plan.meshes.values():
        assert ((mesh.pieces >= 0) & (mesh.pieces < plan.pieces.count)).all()
        assert mesh.material_indices.max(initial=0) < len(mesh.materials)
    assert collision_mesh(plan).face_count


def test_each_floor_wears_its_own_styles_materials() -> None:
    plan = plan_level(LevelSpec(seed=9, width=16, depth=16, floors=2, floor_styles=("LEVEL_0", "LEVEL_1")))
    walls = plan.meshes["walls"]
    z = walls.vertices[walls.faces].mean(axis=1)[:, 2]
    names = np.array(walls.materials)[walls.material_indices]
    upper = z > plan.floors[1].base_z
    assert set(names[upper]) == {"concrete_wall"}
    assert set(names[~upper]) <= {"wallpaper", "baseboard"} and "wallpaper" in names[~upper]
    assert "clutter" in plan.meshes, "Level 1's crates and pipes, on its floor"
    assert plan.meshes["clutter"].vertices[:, 2].min() >= plan.floors[1].base_z - 1e-4


def test_stairs_and_pitfalls_join_only_floors_of_one_grid() -> None:
    base = {"seed": 5, "width": 48, "depth": 48, "floors": 3, "pitfall_density": 0.2}
    plan = plan_level(LevelSpec(**base, floor_styles=("LEVEL_0", "LEVEL_1", "LEVEL_0")))
    assert not plan.floors[0].ceiling_holes.any() and not plan.floors[1].floor_holes.any()
    assert not plan.floors[1].ceiling_holes.any() and not plan.floors[2].floor_holes.any()
    same_grid = plan_level(LevelSpec(**base, floor_styles=("LEVEL_0", "LEVEL_37")))
    assert (same_grid.floors[0].ceiling_holes & same_grid.floors[1].floor_holes).any(), "stairs between 2.4 m grids"


def test_one_style_for_every_floor_is_the_level_without_floor_styles() -> None:
    spec = LevelSpec(seed=12, width=24, depth=20, floors=3, pitfall_density=0.1)
    same = spec.replace(floor_styles=["LEVEL_0"] * 3)
    assert _digest(plan_level(spec)) == _digest(plan_level(same))
    assert [f.layout.digest() for f in plan_level(spec).floors] == [f.layout.digest() for f in plan_level(same).floors]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"floors": 2, "floor_styles": ["LEVEL_0", "LEVEL_9"]}, "each one of LEVEL_0, LEVEL_1, LEVEL_37, LEVEL_188"),
        ({"floors": 2, "floor_styles": ["LEVEL_0", "LEVEL_1", "LEVEL_1"]}, "3 styles for 2 floor(s)"),
        ({"floors": 3, "floor_styles": ["LEVEL_0", "LEVEL_188"]}, "may only be the top floor"),
        ({"floors": 2, "floor_styles": ["LEVEL_1", "LEVEL_0"]}, "the ground floor's style is the level's style"),
        ({"floors": 2, "floor_styles": "LEVEL_0,LEVEL_37", "chunk_size": 8, "room_max": 8}, "room_max"),
        ({"floors": 2, "floor_styles": [7]}, "each one of"),
    ],
)
def test_wrong_floor_styles_are_refused_in_one_line_naming_the_field(changes: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidSpecError) as caught:
        LevelSpec.from_dict(changes)
    assert caught.value.field == "floor_styles" and words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_courtyard_may_top_a_level_of_floors() -> None:
    spec = LevelSpec(seed=1, width=16, depth=16, floors=2, floor_styles=("LEVEL_0", "LEVEL_188"))
    plan = plan_level(spec)
    assert plan.floors[1].spec.style == "LEVEL_188" and plan.floors[1].spec.wall_height == 12.0
    assert "court_walls" in plan.meshes and "court" in plan.to_json()["features"]
    assert plan.spawn.position[2] == pytest.approx(1.6), "the spawn stays on the ground floor"


@given(styles=st.lists(st.sampled_from(UNDER_SKY), min_size=1, max_size=4), text=st.booleans())
def test_floor_styles_round_trip_through_json_and_text(styles: list[str], text: bool) -> None:
    spec = LevelSpec(style=styles[0], floors=4, floor_styles=tuple(styles))
    document = json.loads(json.dumps(spec.to_dict()))
    assert document["floor_styles"] == styles
    assert LevelSpec.from_dict(document) == spec
    setting = SETTING["floor_styles"]
    assert setting.parse(setting.text(spec.floor_styles)) == spec.floor_styles
    typed = {**document, "floor_styles": ", ".join(styles)} if text else document
    assert LevelSpec.from_dict(typed) == spec


def test_the_layout_document_gives_each_floors_style_grid_and_place() -> None:
    plan = plan_level(LevelSpec(seed=3, width=20, depth=20, floors=2, floor_styles=("LEVEL_0", "LEVEL_1")))
    document = json.loads(json.dumps(plan.to_json()))
    upper = document["floors"][1]
    assert (upper["style"], upper["cell_size"], upper["wall_height"]) == ("LEVEL_1", 3.2, 3.6)
    assert (upper["width"], upper["depth"], upper["origin"]) == (15, 15, [0, 0])
    assert upper["z"] == pytest.approx(2.8 + SLAB_M) and upper["marks"] == {}
    assert document["spec"]["floor_styles"] == ["LEVEL_0", "LEVEL_1"]
