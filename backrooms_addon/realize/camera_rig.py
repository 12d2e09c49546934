"""The walking camera in Blender: its keyed route with a walker's bob, its handheld shake, its lens and
the flashlight it may carry."""

from __future__ import annotations

import math
from typing import Any

import bpy
import numpy as np
import numpy.typing as npt

from ..core.footage_sound import STEP_LENGTH
from ..core.rng import uniform
from ..core.spec import LevelSpec
from ..core.styles import style_of
from ..core.walk import Route
from .ownership import tag

FloatArray = npt.NDArray[np.float64]
BOB_M = 0.015  # peak height of the bob, once per step
SWAY_M = 0.005  # peak sideways sway, once per stride (two steps)
FADE_S = 0.4  # seconds over which the bob fades in after a stop and out before one
_MOVED_M = 1e-6  # a frame-to-frame move below this is standing still
# Handheld shake at shake = 1, as the noise's strength: Blender's noise is centred and stays within
# about +-0.45 of it, so these peak near 0.7 degree of pitch and roll, 1 degree of yaw and 5 mm.
_TURN_NOISE = (math.radians(1.6), math.radians(1.6), math.radians(2.2))  # pitch, roll, yaw
_MOVE_NOISE = (0.012, 0.012, 0.01)  # x, y, z in metres
_TURN_NOISE_S, _MOVE_NOISE_S = 1.5, 1.0  # seconds a swing of the hand takes
_SHAKE = 0x5348414B  # "SHAK": the rng stream of the noise's phases and offsets
CAMCORDER_LENS_MM = 20.0  # on a 36 mm sensor: 84 degrees across, a camcorder's wide end
# A hand torch: a warm-white beam of about 45 degrees with a soft edge, bright enough to light a
# wall a few metres ahead well (a spot lamp's watts are those of a point lamp, masked to the cone).
FLASHLIGHT_W = 500.0
FLASHLIGHT_SPOT_DEG = 45.0
FLASHLIGHT_BLEND = 0.6
FLASHLIGHT_RGB = (1.0, 0.92, 0.8)
FLASHLIGHT_AT = (0.15, -0.15, 0.0)  # in the camera's frame: right of and below the eye, in the hand
# Its sway within the hand, as the noise's strength (peaks near 0.45 of it): pitch and yaw of the beam.
_SWAY_NOISE = (math.radians(3.0), math.radians(4.0))
_SWAY_NOISE_S = 2.0
_SWAY = 2  # its channel of the noise stream, apart from the camera's location (0) and rotation (1)


def animate_camera(camera: bpy.types.Object, route: Route, shake: float, seed: int, start_frame: int = 1) -> int:
    """Key `camera` along `route`, route frame k at scene frame start_frame + k, with a walker's bob
    and a handheld shake of strength `shake` (0 to 1) seeded by `seed`. Replaces any animation of
    its location and rotation; the scene's frame range is the caller's. Returns the last frame."""
    if not 0.0 <= shake <= 1.0:
        raise ValueError(f"shake must be between 0 and 1, got {shake}")
    frames = start_frame + np.arange(route.frame_count, dtype=np.float64)
    camera.rotation_mode = "XYZ"
    # A camera looks down its local -Z: pitch it up from looking down, then turn it to the heading.
    turns = np.stack([np.pi / 2 + route.pitch, np.zeros(route.frame_count), route.yaw - np.pi / 2])
    places = (route.positions + _bob(route)).T
    channels = (("location", places, _MOVE_NOISE, _MOVE_NOISE_S), ("rotation_euler", turns, _TURN_NOISE, _TURN_NOISE_S))
    for channel, (path, values, noise, seconds) in enumerate(channels):
        for index, curve in enumerate(fcurves(camera, path, 3)):
            write_keys(curve, frames, values[index])
            if shake > 0.0:
                _shake(curve, shake * noise[index], seconds * route.fps, seed, channel, index)
    return start_frame + route.frame_count - 1


def fcurves(owner: bpy.types.ID, path: str, count: int) -> list[Any]:
    """The F-curves of `owner`'s property `path`, indices 0 to count - 1, made where missing, in its
    own action: layered actions (slots, channelbags) where Blender has them (4.4 on), else 4.2's list."""
    data = owner.animation_data or owner.animation_data_create()
    if data.action is None:
        data.action = bpy.data.actions.new(f"{owner.name} Action")
    action = data.action
    group = "Object Transforms"  # the group keyframe_insert files transforms under
    if hasattr(action, "fcurve_ensure_for_datablock"):
        return [action.fcurve_ensure_for_datablock(owner, path, index=i, group_name=group) for i in range(count)]
    found = (action.fcurves.find(path, index=i) for i in range(count))
    return [f or action.fcurves.new(path, index=i, action_group=group) for i, f in enumerate(found)]


def camcorder_lens(data: bpy.types.Camera, sensor_4_3: bool = False) -> None:
    """A camcorder's wide lens; with `sensor_4_3` the sensor is fitted to a 4:3 frame across."""
    data.lens_unit = "MILLIMETERS"
    data.sensor_width = 36.0
    data.lens = CAMCORDER_LENS_MM
    data.clip_start = 0.05  # the lens may pass a door frame's edge closely
    data.sensor_fit = "HORIZONTAL" if sensor_4_3 else "AUTO"
    if sensor_4_3:
        data.sensor_height = data.sensor_width * 3 / 4


def _bob(route: Route) -> FloatArray:
    """Per frame, the (x, y, z) a walker's head adds to the route: up and down once per step, aside
    once per stride. Its phase is the distance walked, so it keeps step with the pace, and it fades
    to nothing where the route stands still."""
    xy = route.positions[:, :2]
    moves = np.linalg.norm(np.diff(xy, axis=0), axis=1)
    walked = np.concatenate([[0.0], np.cumsum(moves)])
    phase = 2 * np.pi * walked / STEP_LENGTH
    fade = _walking(moves, route.fps)
    side = np.column_stack([-np.sin(route.yaw), np.cos(route.yaw)])  # left of the heading
    offset = np.zeros((route.frame_count, 3))
    offset[:, :2] = side * (SWAY_M * np.sin(phase / 2) * fade)[:, None]
    # Highest in mid step, lowest as a foot lands: a minus cosine starts low, from a stand.
    offset[:, 2] = -BOB_M * np.cos(phase) * fade
    return offset


def _walking(moves: FloatArray, fps: int) -> FloatArray:
    """Per frame, 0 while standing (no move into or out of the frame; so too before and after the
    route), easing up to 1 over FADE_S of walking away from the nearest stand."""
    moving = np.concatenate([[False], moves > _MOVED_M, [False]])
    walking = moving[:-1] & moving[1:]
    # Frames to the nearest standing frame either way; one just before and one just after the route.
    index = np.arange(len(walking))
    last = np.maximum.accumulate(np.where(walking, -1, index))
    following = np.minimum.accumulate(np.where(walking, len(walking), index)[::-1])[::-1]
    ramp = np.clip(np.minimum(index - last, following - index) / max(FADE_S * fps, 1.0), 0.0, 1.0)
    return np.asarray(ramp * ramp * (3 - 2 * ramp), np.float64)  # smoothstep: no kink at either end


def write_keys(curve: Any, frames: FloatArray, values: FloatArray, interpolation: str = "LINEAR") -> None:
    """The curve's keys replaced by these, written at once (keyframe_insert per key is slow on long
    routes); its modifiers go too. BEZIER keys get auto-clamped handles, as keyframe_insert's."""
    points = curve.keyframe_points
    points.clear()
    for modifier in list(curve.modifiers):
        curve.modifiers.remove(modifier)
    points.add(len(frames))
    points.foreach_set("co", np.column_stack([frames, values]).astype(np.float32).ravel())
    mode = bpy.types.Keyframe.bl_rna.properties["interpolation"].enum_items[interpolation].value
    points.foreach_set("interpolation", np.full(len(frames), mode, np.int32))
    curve.update()


def _shake(curve: Any, strength: float, scale: float, seed: int, channel: int, index: int) -> None:
    """A slow noise on the curve: a hand's drift, the same for the same seed, its own per channel."""
    noise = curve.modifiers.new("NOISE")
    noise.blend_type = "REPLACE"  # adds the noise centred on the keys
    noise.strength = strength
    noise.scale = scale
    # The noise's phase and offset are in frames and divided by its scale: spread them far apart.
    noise.phase = 1000.0 * float(uniform(seed, _SHAKE, channel, index, 0))
    noise.offset = 1000.0 * float(uniform(seed, _SHAKE, channel, index, 1))


def carried(spec: LevelSpec, camera: bpy.types.Object, level_id: str, fps: int) -> list[bpy.types.Object]:
    """What the camera carries in a level of `spec`'s style: a flashlight where the style says so."""
    return [add_flashlight(camera, level_id, spec.seed, fps)] if style_of(spec.style).flashlight else []


def add_flashlight(camera: bpy.types.Object, level_id: str, seed: int, fps: int = 24) -> bpy.types.Object:
    """A flashlight in the hand that holds `camera`: a spot lamp parented to it, in its collections,
    aimed along its view (both look down their local -Z), swaying slowly of its own (seeded by
    `seed`, the same each time). Tagged as the level's; the caller records it as made."""
    light = bpy.data.lights.new("Backrooms flashlight", type="SPOT")
    light.energy = FLASHLIGHT_W
    light.color = FLASHLIGHT_RGB
    light.spot_size = math.radians(FLASHLIGHT_SPOT_DEG)
    light.spot_blend = FLASHLIGHT_BLEND
    light.shadow_soft_size = 0.02  # a small bulb: crisp shadows
    flashlight = bpy.data.objects.new("Backrooms flashlight", light)
    tag(flashlight, level_id)
    tag(light, level_id)
    for collection in camera.users_collection:
        collection.objects.link(flashlight)
    flashlight.parent = camera
    flashlight.location = FLASHLIGHT_AT
    flashlight.rotation_mode = "XYZ"
    for index, curve in enumerate(fcurves(flashlight, "rotation_euler", 2)):
        write_keys(curve, np.array([1.0]), np.array([0.0]))  # held straight, the noise around it
        _shake(curve, _SWAY_NOISE[index], _SWAY_NOISE_S * fps, seed, _SWAY, index)
    return flashlight
