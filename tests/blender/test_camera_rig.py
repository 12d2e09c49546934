"""The walking camera: keyed along its route with a bob in step, a seeded handheld shake, no drivers."""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import bpy
import numpy as np
import pytest

FPS, SPEED, STEP_LENGTH = 24, 1.4, 0.75
WALK, STOP, TURN = 86, 24, 24  # frames: 5 m east at 1.4 m/s, a second's stop, a quarter turn left


@pytest.fixture
def rig(addon: ModuleType) -> ModuleType:
    return importlib.import_module(f"{addon.__name__}.realize.camera_rig")


@pytest.fixture
def route(addon: ModuleType) -> Any:
    """5 m east, stand a second, turn left on the spot, walk 3 m north; the view bobs its pitch gently."""
    eye = addon.core.features.EYE_HEIGHT
    step = SPEED / FPS
    east = np.column_stack([1.0 + step * np.arange(WALK), np.full(WALK, 1.0)])
    north = east[-1] + np.column_stack([np.zeros(52), step * np.arange(1, 53)])
    xy = np.concatenate([east, np.repeat(east[-1:], STOP + TURN, axis=0), north])
    yaw = np.concatenate([np.zeros(WALK + STOP), np.linspace(0.0, math.pi / 2, TURN), np.full(52, math.pi / 2)])
    pitch = 0.03 * np.sin(np.arange(len(yaw)) / FPS) - 0.02
    positions = np.column_stack([xy, np.full(len(xy), eye)])
    return addon.core.walk.Route(positions, yaw, pitch, FPS, SPEED, np.zeros((0, 2), np.int64))


def _camera(scene: bpy.types.Scene, name: str = "Walker") -> bpy.types.Object:
    camera = bpy.data.objects.new(name, bpy.data.cameras.new(name))
    scene.collection.objects.link(camera)
    return camera


def _matrices(scene: bpy.types.Scene, camera: bpy.types.Object, count: int, start: int = 1) -> np.ndarray:
    """The camera's evaluated world matrix at frames start to start + count - 1, (count, 4, 4)."""
    found = []
    for frame in range(start, start + count):
        scene.frame_set(frame)
        found.append(np.array(camera.matrix_world))
    return np.array(found)


def _curves(camera: bpy.types.Object) -> list[Any]:
    action = camera.animation_data.action
    if hasattr(action, "layers"):  # layered actions (4.4 on): the curves sit in channelbags
        return [
            c for layer in action.layers for strip in layer.strips for bag in strip.channelbags for c in bag.fcurves
        ]
    return list(action.fcurves)


def _turn_degrees(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per frame, the angle in degrees of the rotation from a's orientation to b's."""
    cosine = (np.einsum("nji,nji->n", a[:, :3, :3], b[:, :3, :3]) - 1) / 2
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))


def test_the_camera_follows_the_route_and_bobs_only_while_walking(
    scene: bpy.types.Scene, rig: ModuleType, route: Any
) -> None:
    camera = _camera(scene)
    last = rig.animate_camera(camera, route, shake=0.0, seed=1)
    assert last == route.frame_count, "route frame k is scene frame 1 + k"
    place = _matrices(scene, camera, route.frame_count)[:, :3, 3]
    assert np.abs(place - route.positions).max() < 0.025
    rise = np.abs(place[:, 2] - route.positions[:, 2])
    assert 0.01 <= rise[:WALK].max() <= 0.02, rise[:WALK].max()
    assert rise[WALK : WALK + STOP + TURN].max() < 0.001, "standing still, the head rests"
    assert np.abs(place[WALK : WALK + STOP + TURN, :2] - route.positions[WALK, :2]).max() < 0.001


def test_the_bob_keeps_step_with_the_pace(scene: bpy.types.Scene, rig: ModuleType, route: Any) -> None:
    camera = _camera(scene)
    rig.animate_camera(camera, route, shake=0.0, seed=1)
    walk = _matrices(scene, camera, WALK)[:, :3, 3] - route.positions[:WALK]
    frequency = np.fft.rfftfreq(4096, 1 / FPS)  # zero padded: 86 frames alone resolve only 0.28 Hz
    step_rate = SPEED / STEP_LENGTH
    for axis, rate in ((2, step_rate), (1, step_rate / 2)):  # up and down each step, aside each stride
        spectrum = np.abs(np.fft.rfft(walk[:, axis] - walk[:, axis].mean(), 4096))
        assert frequency[spectrum.argmax()] == pytest.approx(rate, rel=0.1), axis
    assert 0.001 < np.abs(walk[:, 1]).max() < 0.01, "a tiny sway, sideways to the heading"


def test_the_camera_looks_along_the_route(scene: bpy.types.Scene, rig: ModuleType, route: Any) -> None:
    camera = _camera(scene)
    rig.animate_camera(camera, route, shake=0.0, seed=1)
    forward = -_matrices(scene, camera, route.frame_count)[:, :3, 2]
    heading = np.arctan2(forward[:, 1], forward[:, 0])
    off = np.angle(np.exp(1j * (heading - route.yaw)))
    assert np.degrees(np.abs(off)).max() < 0.5
    assert np.degrees(np.abs(np.arcsin(forward[:, 2]) - route.pitch)).max() < 0.5
    assert np.degrees(np.abs(np.arcsin(_matrices(scene, camera, 1)[0, 2, 0]))) < 0.5, "no roll"


def test_a_planned_route(scene: bpy.types.Scene, rig: ModuleType, addon: ModuleType) -> None:
    core = addon.core
    route = core.walk.plan_route(core.plan.plan_level(core.spec.LevelSpec(seed=0, width=16, depth=16)), 30.0)
    camera = _camera(scene)
    rig.animate_camera(camera, route, shake=0.0, seed=0, start_frame=10)
    matrices = _matrices(scene, camera, route.frame_count, start=10)
    assert np.abs(matrices[:, :3, 3] - route.positions).max() < 0.025
    still = np.flatnonzero(np.all(np.diff(route.positions, axis=0) == 0, axis=1))
    assert len(still) > 0, "the route stops somewhere"
    assert np.abs(matrices[still, 2, 3] - route.positions[still, 2]).max() < 0.001
    forward = -matrices[:, :3, 2]
    off = np.angle(np.exp(1j * (np.arctan2(forward[:, 1], forward[:, 0]) - route.yaw)))
    assert np.degrees(np.abs(off)).max() < 0.5


def test_the_shake_is_a_slight_seeded_noise(scene: bpy.types.Scene, rig: ModuleType, route: Any) -> None:
    steady = _camera(scene, "Steady")
    rig.animate_camera(steady, route, shake=0.0, seed=1)
    assert not any(curve.modifiers for curve in _curves(steady)), "shake 0: no noise at all"
    calm = _matrices(scene, steady, route.frame_count)
    for seed in (1, 2, 3):
        shaky = _camera(scene, f"Shaky {seed}")
        rig.animate_camera(shaky, route, shake=1.0, seed=seed)
        assert sorted(m.type for c in _curves(shaky) for m in c.modifiers) == ["NOISE"] * 6
        moved = _matrices(scene, shaky, route.frame_count)
        turn = _turn_degrees(calm, moved)
        assert turn.max() <= 2.0 and np.sqrt((turn**2).mean()) >= 0.1, (seed, turn.max())
        assert np.linalg.norm(moved[:, :3, 3] - calm[:, :3, 3], axis=1).max() < 0.015
    half = _camera(scene, "Half")
    rig.animate_camera(half, route, shake=0.5, seed=1)
    full = _matrices(scene, bpy.data.objects["Shaky 1"], route.frame_count)
    assert _turn_degrees(calm, _matrices(scene, half, route.frame_count)).mean() < _turn_degrees(calm, full).mean()


def test_the_same_seed_shakes_the_same(scene: bpy.types.Scene, rig: ModuleType, route: Any) -> None:
    first, again, other = _camera(scene, "First"), _camera(scene, "Again"), _camera(scene, "Other")
    for camera, seed in ((first, 7), (again, 7), (other, 8)):
        rig.animate_camera(camera, route, shake=1.0, seed=seed)
    count = route.frame_count
    assert np.array_equal(_matrices(scene, first, count), _matrices(scene, again, count))
    assert _turn_degrees(_matrices(scene, first, count), _matrices(scene, other, count)).max() > 0.1


def test_animating_again_replaces_the_keys_and_uses_no_drivers(
    scene: bpy.types.Scene, rig: ModuleType, route: Any
) -> None:
    camera = _camera(scene)
    rig.animate_camera(camera, route, shake=1.0, seed=1)
    rig.animate_camera(camera, route, shake=0.5, seed=1)
    curves = _curves(camera)
    assert sorted((c.data_path, c.array_index) for c in curves) == [
        (path, i) for path in ("location", "rotation_euler") for i in range(3)
    ]
    for curve in curves:
        assert len(curve.keyframe_points) == route.frame_count
        assert {k.interpolation for k in curve.keyframe_points} == {"LINEAR"}
        assert len(curve.modifiers) == 1
    assert len(camera.animation_data.drivers) == 0, "nothing for Auto Run Python Scripts to block"


@pytest.mark.parametrize("shake", [-0.1, 1.5, math.nan])
def test_a_shake_out_of_range_is_refused(scene: bpy.types.Scene, rig: ModuleType, route: Any, shake: float) -> None:
    with pytest.raises(ValueError, match=r"shake must be between 0 and 1"):
        rig.animate_camera(_camera(scene), route, shake=shake, seed=1)


def test_the_animation_survives_saving(scene: bpy.types.Scene, rig: ModuleType, route: Any, tmp_path: Path) -> None:
    rig.animate_camera(_camera(scene), route, shake=1.0, seed=5)
    before = _matrices(scene, bpy.data.objects["Walker"], route.frame_count)
    path = tmp_path / "a.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.open_mainfile(filepath=str(path))
    after = _matrices(bpy.context.scene, bpy.data.objects["Walker"], route.frame_count)
    assert np.allclose(before, after, atol=1e-6)


def test_the_camcorder_lens(scene: bpy.types.Scene, rig: ModuleType) -> None:
    data = _camera(scene).data
    rig.camcorder_lens(data)
    across = math.degrees(2 * math.atan(data.sensor_width / 2 / data.lens))
    assert 80 <= across <= 90 and data.clip_start == pytest.approx(0.05)
    rig.camcorder_lens(data, sensor_4_3=True)
    assert data.sensor_fit == "HORIZONTAL" and data.sensor_height == pytest.approx(data.sensor_width * 3 / 4)
    assert math.degrees(data.angle_x) == pytest.approx(across)
