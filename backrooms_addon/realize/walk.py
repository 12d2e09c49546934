"""A planned walk in Blender: its chunks built and shown only near the camera, and the walking camera."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import bpy
import numpy as np

from ..core.plan import troffer_size
from ..core.stream import LampSlot, Walk, lamp_slots, walk_tiles
from ..core.troffer import HANG, troffer_kind
from .camera_rig import animate_camera, camcorder_lens, carried, fcurves
from .level import (
    Progress,
    Steps,
    add_pieces,
    level_name,
    look_of,
    new_light,
    open_level,
    pulse_fixtures,
    sync_view_layers,
)
from .mesh import MeshTemplates
from .ownership import record_made, tag
from .troffers import Instancers, is_troffer_variant, load_troffer

WALK_KEY = "backrooms_walk"  # on a walk's collection: its settings, frames and chunks (JSON)
FIRST_FRAME = 1
CHUNK_KEY = "backrooms_chunk"  # on what a walk built: its chunk [cx, cy] (a block's first chunk)


@dataclass
class WalkLevel:
    """What walk() made: the level's collection, its camera, its frames and what was built."""

    level_id: str
    collection: bpy.types.Collection
    walk: Walk
    camera: bpy.types.Object
    frames: tuple[int, int]  # first and last frame of the walk in the scene
    objects: list[bpy.types.Object] = field(default_factory=list)

    @property
    def chunks(self) -> tuple[tuple[int, int], ...]:
        return self.walk.chunks


def realize_walk(
    walk: Walk, scene: bpy.types.Scene, level_id: str, collection: bpy.types.Collection | None = None
) -> Steps[WalkLevel]:
    """Build the walk's chunks (one step each), each shown only while the camera is near it, then
    the animated camera, which becomes the scene's camera over the walk's frames."""
    collection = open_level(walk.spec, level_name(walk.spec, "walk"), scene, level_id, collection)
    troffer = load_troffer(troffer_kind(troffer_size(walk.spec)))
    spec = walk.spec
    troffers = Instancers(collection, level_id, look_of(spec))  # every chunk's
    templates = MeshTemplates()  # every chunk's meshes are copied from them
    made: list[bpy.types.Object] = []
    lamps: list[tuple[int, Any, tuple[tuple[int, int], ...]]] = []  # (state, position, spans) near the route
    lights: dict[int, bpy.types.Light] = {}  # one light per lamp state for the whole walk
    total = len(walk.chunks) + 1
    try:
        for done, (chunk, plan) in enumerate(walk_tiles(walk, troffer), 1):
            where = f" {chunk[0]},{chunk[1]}"
            objects = [obj for obj, _ in add_pieces(plan, collection, level_id, where, troffers, templates=templates)]
            made += [obj for obj in objects if is_troffer_variant(obj)]  # shared by every chunk
            objects = [obj for obj in objects if not is_troffer_variant(obj)]
            dx, dy = walk.chunk_offset(chunk)
            for obj in objects:
                obj.location.x += dx
                obj.location.y += dy
                obj[CHUNK_KEY] = chunk
                _show_only(obj, walk.spans(chunk))
            made += objects
            for position, state, spans in zip(
                plan.lamps, plan.lamp_states.tolist(), walk.lamp_spans(chunk, plan.lamps), strict=True
            ):
                if spans:  # lamps the camera never comes near: none
                    lamps.append((state, position + np.array([dx, dy, 0.0]), spans))
                    if state not in lights:
                        lights[state] = new_light(plan, state, level_id, walk.route.fps)
            yield Progress(done, total, f"chunk {chunk[0]},{chunk[1]}")
        made += [
            _moving_lamp(slot, k, lights[slot.state], collection, level_id) for k, slot in enumerate(lamp_slots(lamps))
        ]
        pulse_fixtures(spec, walk.route.fps)
        camera = _walking_camera(walk, collection, level_id)
        made += [camera, *carried(spec, camera, level_id, walk.route.fps)]
    finally:
        templates.remove()
        record_made(collection, made)  # once, also for a build stopped half way
    collection[WALK_KEY] = json.dumps(
        {**walk.settings, "chunks": [list(c) for c in walk.chunks], "frame_origin": list(walk.frame_origin)}
    )
    last = FIRST_FRAME + walk.route.frame_count - 1
    scene.frame_start, scene.frame_end = FIRST_FRAME, last
    scene.render.fps, scene.render.fps_base = walk.route.fps, 1.0
    scene.camera = camera
    sync_view_layers(scene)
    yield Progress(total, total, "camera")
    return WalkLevel(level_id, collection, walk, camera, (FIRST_FRAME, last), made)


def _show_only(obj: bpy.types.Object, spans: tuple[tuple[int, int], ...]) -> None:
    """Key the object hidden (render and viewport) but for the route frames in `spans` (first,
    last), so a frame only holds the chunks near the camera. Only changes get keys; booleans
    hold their value until the next key."""
    keys: list[tuple[int, bool]] = [] if spans[0][0] == 0 else [(FIRST_FRAME, True)]
    for first, last in spans:
        keys += [(FIRST_FRAME + first, False), (FIRST_FRAME + last + 1, True)]
    for frame, hidden in keys:
        obj.hide_render = obj.hide_viewport = hidden
        obj.keyframe_insert("hide_render", frame=frame)
        obj.keyframe_insert("hide_viewport", frame=frame)
    obj.hide_render = obj.hide_viewport = keys[0][1] if keys[0][0] == FIRST_FRAME else False


def _moving_lamp(
    slot: LampSlot, number: int, light: bpy.types.Light, collection: bpy.types.Collection, level_id: str
) -> bpy.types.Object:
    """One lamp object that stands under each fixture of its stays in turn (its place keyed, held
    from key to key), hidden between stays: a few lamps light a walk of any length."""
    lamp = bpy.data.objects.new(f"Backrooms lamp {number:03d}", light)
    tag(lamp, level_id)
    collection.objects.link(lamp)
    places = [(FIRST_FRAME + first, (x, y, z - HANG - 0.01)) for first, _, x, y, z in slot.stays]
    for index, curve in enumerate(fcurves(lamp, "location", 3)):
        curve.keyframe_points.add(len(places))
        for point, (frame, place) in zip(curve.keyframe_points, places, strict=True):
            point.co = (frame, place[index])
            point.interpolation = "CONSTANT"
    lamp.location = places[0][1]
    _show_only(lamp, tuple((first, last) for first, last, *_ in slot.stays))
    return lamp


def _walking_camera(walk: Walk, collection: bpy.types.Collection, level_id: str) -> bpy.types.Object:
    data = bpy.data.cameras.new("Backrooms walk camera")
    camcorder_lens(data)
    data.clip_end = max(100.0, 2 * walk.settings["view_radius"])
    camera = bpy.data.objects.new("Backrooms walk camera", data)
    tag(camera, level_id)
    tag(data, level_id)
    collection.objects.link(camera)
    animate_camera(camera, walk.route, walk.settings["shake"], walk.spec.seed, FIRST_FRAME)
    return camera
