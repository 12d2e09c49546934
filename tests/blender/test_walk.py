"""The walk in Blender: chunks shown only near the camera, the camera on its route, the files the
`walk` command writes, a saved and reopened walk, and bad input that changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from blender_support import ROOT

CHUNK_KEY = "backrooms_chunk"
SMALL = {"seed": 3, "width": 8, "depth": 8, "length": 60.0, "view_radius": 16.0, "shake": 0.0}


def shown_chunks(objects: list[bpy.types.Object]) -> set[tuple[int, int]]:
    return {tuple(obj[CHUNK_KEY]) for obj in objects if CHUNK_KEY in obj and not obj.hide_render}


def near(walk: object, frame: int) -> set[tuple[int, int]]:
    """The chunks the walk shows on scene frame `frame` (route frame frame - 1)."""
    return {c for c, spans in walk.shown.items() if any(a <= frame - 1 <= b for a, b in spans)}  # type: ignore[attr-defined]


@pytest.fixture
def walked(api: ModuleType, scene: bpy.types.Scene) -> object:
    return api.walk(**SMALL, scene=scene)


def test_only_the_chunks_near_the_camera_are_shown(walked: object, scene: bpy.types.Scene) -> None:
    level = walked
    walk, objects = level.walk, level.objects  # type: ignore[attr-defined]
    assert (scene.frame_start, scene.frame_end) == level.frames == (1, walk.route.frame_count)  # type: ignore[attr-defined]
    assert scene.camera == level.camera  # type: ignore[attr-defined]
    assert {tuple(o[CHUNK_KEY]) for o in objects if CHUNK_KEY in o} == set(walk.chunks)
    # The meshes of no chunk: the troffer models, which every chunk instances and no scene holds.
    models = [o for o in objects if o.type == "MESH" and CHUNK_KEY not in o]
    assert models and all(o.name.startswith("Backrooms #") and " troffer " in o.name for o in models)
    (held,) = {c for o in models for c in o.users_collection}  # one collection, which no scene shows
    assert held not in scene.collection.children_recursive
    changed = 0
    for frame in np.linspace(1, scene.frame_end, 9).astype(int).tolist():
        scene.frame_set(frame)
        assert shown_chunks(objects) == near(walk, frame), frame
        changed += shown_chunks(objects) != set(walk.chunks)
        assert any(not lamp.hide_render for lamp in objects if lamp.type == "LIGHT"), "lamps near the camera"
    assert changed, "some chunks are hidden on some frames"


def test_the_lamps_shown_are_the_lit_fixtures_near_the_camera(walked: object, scene: bpy.types.Scene) -> None:
    from backrooms_addon.core.stream import lamp_slots, walk_tiles

    walk = walked.walk  # type: ignore[attr-defined]
    lamps = [o for o in walked.objects if o.type == "LIGHT"]  # type: ignore[attr-defined]
    near: dict[int, set[tuple[float, float]]] = {}
    found = []
    for chunk, plan in walk_tiles(walk):
        offset = np.array([*walk.chunk_offset(chunk), 0.0])
        spans_of = walk.lamp_spans(chunk, plan.lamps)
        for position, state, spans in zip(plan.lamps, plan.lamp_states.tolist(), spans_of, strict=True):
            found.append((state, position + offset, spans))
            for first, last in spans:
                for frame in range(first, last + 1):
                    near.setdefault(frame + 1, set()).add(tuple(np.round((position + offset)[:2], 3)))
    assert len(lamps) == len(lamp_slots([f for f in found if f[2]])), "a lamp per slot, not per fixture"
    assert len(lamps) < sum(1 for f in found if f[2]), "fewer lamps than fixtures lit along the way"
    for frame in np.linspace(1, scene.frame_end, 7).astype(int).tolist():
        scene.frame_set(frame)
        shown = {
            tuple(np.round(np.asarray(o.matrix_world.translation, np.float64)[:2], 3))
            for o in lamps
            if not o.hide_render
        }
        assert shown == near.get(frame, set()), frame


def test_the_camera_follows_the_route(walked: object, scene: bpy.types.Scene) -> None:
    route, camera = walked.walk.route, walked.camera  # type: ignore[attr-defined]
    for frame in (1, route.frame_count // 2, route.frame_count):
        scene.frame_set(frame)
        where = np.asarray(camera.matrix_world.translation)
        assert np.linalg.norm(where - route.positions[frame - 1]) < 0.025, "on the route, give or take the bob"
    assert camera.animation_data.drivers.__len__() == 0
    assert not any(o.animation_data and len(o.animation_data.drivers) for o in bpy.data.objects)


def test_a_walk_saved_and_reopened_plays_the_same(walked: object, scene: bpy.types.Scene, tmp_path: Path) -> None:
    walk = walked.walk  # type: ignore[attr-defined]
    frame = walk.route.frame_count * 2 // 3
    scene.frame_set(frame)
    before = (np.asarray(scene.camera.matrix_world), shown_chunks(walked.objects))  # type: ignore[attr-defined]
    path = tmp_path / "walk.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.open_mainfile(filepath=str(path))
    reopened = bpy.context.scene
    reopened.frame_set(frame)
    objects = [o for o in reopened.objects if CHUNK_KEY in o]
    assert np.allclose(np.asarray(reopened.camera.matrix_world), before[0], atol=1e-5)
    assert shown_chunks(objects) == before[1]


def test_walking_replaces_the_level_and_clear_takes_all_of_it(api: ModuleType, scene: bpy.types.Scene) -> None:
    mine = bpy.data.objects.new("my empty", None)
    scene.collection.objects.link(mine)
    api.generate(seed=1, width=8, depth=8, scene=scene)
    api.walk(**SMALL, scene=scene)
    assert len(api.levels(scene)) == 1
    api.clear(scene=scene)
    assert [o.name for o in scene.objects] == ["my empty"]


@pytest.mark.parametrize(
    "bad", [{"length": -1.0}, {"speed": 0.0}, {"shake": 2.0}, {"descend": True}, {"floor_styles": ("LEVEL_9",)}]
)
def test_bad_walk_input_changes_nothing(api: ModuleType, scene: bpy.types.Scene, bad: dict[str, object]) -> None:
    api.generate(seed=1, width=8, depth=8, scene=scene)
    before = sorted(o.name for o in bpy.data.objects), scene.frame_end, scene.camera
    with pytest.raises(api.InvalidSpecError) as raised:
        api.walk(**{**SMALL, **bad}, scene=scene)
    assert str(raised.value).startswith(next(iter(bad)) if next(iter(bad)) != "descend" else "descend")
    assert (sorted(o.name for o in bpy.data.objects), scene.frame_end, scene.camera) == before


def test_the_walk_command_writes_the_blend_and_the_document(tmp_path: Path) -> None:
    out = tmp_path / "shared"
    command = [sys.executable, "-m", "backrooms_addon", "walk", "--seed", "4", "--width", "8", "--depth", "8"]
    for name in ("a", "b"):  # two runs sharing one output folder
        flags = ["--length", "25", "--shake", "0", "--out", str(out), "--name", name]
        result = subprocess.run([*command, *flags], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.blend", "a.json", "b.blend", "b.json"]
    document = json.loads((out / "a.json").read_text())
    assert document["format"] == "backrooms-walk" and document["spec"]["seed"] == 4
    bpy.ops.wm.open_mainfile(filepath=str(out / "a.blend"))
    scene = bpy.context.scene
    assert scene.frame_end == len(document["frames"]) and scene.render.fps == document["fps"]
    for entry in document["frames"][:: max(1, len(document["frames"]) // 5)]:
        scene.frame_set(entry["frame"])
        location = np.asarray(scene.camera.matrix_world.translation)
        assert np.linalg.norm(location - entry["location"]) < 0.025
        assert np.allclose(scene.camera.rotation_euler[:], entry["rotation_euler"], atol=1e-4)


def test_the_walk_command_refuses_bad_input_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "backrooms_addon", "walk", "--length", "-5", "--out", str(out)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["error: length: must be a number from 1 to 100000 m, got -5.0"]
    assert not out.exists()


def test_flickering_lamps_flicker_through_a_long_walk_as_the_sound_expects(
    api: ModuleType, scene: bpy.types.Scene
) -> None:
    from backrooms_addon.core.fixtures import FLICKER
    from backrooms_addon.core.footage_sound import lamp_power

    level = api.generate(seed=2, width=16, depth=16, flicker_fraction=0.5, scene=scene)
    lamp = next(o for o in level.objects if o.type == "LIGHT" and "flicker" in o.data.name)
    state = FLICKER + int(lamp.data.name.rsplit(" ", 1)[1])
    frames = list(range(1, 700, 3))
    seen = []
    for frame in frames:
        scene.frame_set(frame)
        seen.append(lamp.data.energy)
    expected = lamp_power(state, 700)[[f - 1 for f in frames]]
    assert np.allclose(np.asarray(seen) / np.max(seen), expected / expected.max(), atol=1e-4)
    assert np.ptp(seen[len(seen) // 2 :]) > 0, "still flickering after frame 250"
