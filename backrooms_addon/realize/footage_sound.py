"""The sound of a walk's footage in Blender: the lamps' hum heard from the walking camera through
Blender's 3D audio, the buzz and footsteps of core/footage_sound.py as packed sequencer strips, and
the scene's whole sound mixed down to a WAV."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import bpy
import numpy as np
import numpy.typing as npt

from ..core.errors import BackroomsError
from ..core.footage_sound import RATE, chunk_lamps, footage_tracks
from ..core.hum import write_hum, write_wav
from .level import speaker_playing
from .materials import RECIPE_KEY, animate
from .ownership import (
    MADE_KEY,
    made_objects,
    record_made,
    record_made_strips,
    remove_made_strips,
    tag,
    tag_strip,
    top_strips,
)
from .walk import FIRST_FRAME, WalkLevel

HUM_REACH_M = 12.0  # a lamp's hum speaker plays while the camera is within this of it
HUM_PER_CHUNK = 2  # speakers per chunk: the lit lamps the route passes nearest
HUM_SECONDS = 60  # the walk's hum: a minute, played again by another speaker for a longer stay
HUM_RATE = 16_000  # the hum holds nothing above 2 kHz but its rasp: a small packed sound
HUM_VOLUME = 0.15  # several speakers are near at once: the hum under the steps, not over them
FADE_FRAMES = 6  # a speaker's volume eases in and out over this many frames
_TRACKS = (("buzz", "Backrooms buzz", 1.0), ("footsteps", "Backrooms footsteps", 1.0))


def add_footage_sound(scene: bpy.types.Scene, level: WalkLevel) -> None:
    """Give the walk `level` its sound: speakers humming at the lit lamps near its route (a few
    per chunk, each heard only while the camera is near, with the camera as the listener), and
    the buzz of nearby lamps and the footsteps as packed sound strips from frame 1. Replaces the
    sound given to this level before. Without Blender's audio (the bpy 4.2 wheel) there are no
    strips: only the speakers."""
    scene.camera = level.camera  # Blender hears from the scene's camera
    scene.audio_distance_model = "INVERSE_CLAMPED"
    scene.audio_doppler_factor = 0.0  # a walker's pace would only wobble the hum's pitch
    scene.audio_volume = 1.0
    remove_made_strips(level.collection)
    _remove_speakers(level.collection)
    if level.walk.spec.hum:
        record_made(level.collection, _hum_speakers(scene, level))
    if bpy.app.build_options.audaspace:
        _add_strips(scene, level)


def _remove_speakers(collection: bpy.types.Collection) -> None:
    """Remove the speakers made for the level before (a walk's sound given again)."""
    old = [obj for obj in made_objects(collection) if obj.type == "SPEAKER"]
    data = {obj.data for obj in old}
    for obj in old:
        bpy.data.objects.remove(obj)
    for speaker in data:
        if speaker.users == 0:
            bpy.data.speakers.remove(speaker)
    collection[MADE_KEY] = made_objects(collection)


def _hum_speakers(scene: bpy.types.Scene, level: WalkLevel) -> list[bpy.types.Object]:
    """Per chunk, speakers at the HUM_PER_CHUNK lit lamps the route passes nearest, each keyed
    silent but while the camera is within HUM_REACH_M of it and its chunk is shown."""
    if scene != bpy.context.scene or not bpy.ops.object.speaker_add.poll():
        return []  # the operator makes the speaker's sound strip: the context's scene only
    walk, camera = level.walk, level.walk.route.positions
    places = []
    for chunk, lamps, _ in chunk_lamps(walk, HUM_REACH_M):
        distance = np.linalg.norm(camera[:, None, :] - lamps[None, :, :], axis=2)
        shown = np.zeros(len(camera), np.bool_)
        for first, last in walk.spans(chunk):
            shown[first : last + 1] = True
        for lamp in np.argsort(distance.min(axis=0), kind="stable")[:HUM_PER_CHUNK].tolist():
            heard = shown & (distance[:, lamp] <= HUM_REACH_M)
            if heard.any():
                places.append((chunk, lamps[lamp], heard))
    if not places:
        return []
    template = speaker_playing(_ensure_walk_hum(), HUM_VOLUME)
    speakers = []
    length = HUM_SECONDS * walk.route.fps
    for index, (chunk, position, heard) in enumerate(places):
        data = template.data.copy()
        data.name = f"Backrooms hum {chunk[0]},{chunk[1]} {index:02d}"
        tag(data, level.level_id)
        _key_volume(data, heard)
        for first, last in _runs(heard):
            for start in range(first, last + 1, length):  # one more speaker per HUM_SECONDS heard
                speaker = template.copy()
                speaker.data = data
                speaker.name = f"Backrooms hum {chunk[0]},{chunk[1]} {index:02d}"
                speaker.location = (position[0], position[1], position[2] - 0.05)
                speaker.animation_data.nla_tracks[0].strips[0].frame_start_ui = FIRST_FRAME + start
                tag(speaker, level.level_id)
                level.collection.objects.link(speaker)
                speakers.append(speaker)
    template_data = template.data
    bpy.data.objects.remove(template)
    bpy.data.speakers.remove(template_data)
    return speakers


def _key_volume(data: bpy.types.Speaker, heard: npt.NDArray[np.bool_]) -> None:
    """Key the speaker's volume HUM_VOLUME on the route frames `heard`, easing in and out over
    FADE_FRAMES (not at the walk's ends), 0 elsewhere: Blender's audio reads it frame by frame."""
    frames = len(heard)
    volume = np.zeros(frames)
    for first, last in _runs(heard):
        index = np.arange(first, last + 1)
        up = index - first + 1 if first > 0 else np.full(len(index), FADE_FRAMES + 1)
        down = last - index + 1 if last < frames - 1 else np.full(len(index), FADE_FRAMES + 1)
        volume[index] = HUM_VOLUME * np.minimum(1.0, np.minimum(up, down) / (FADE_FRAMES + 1))
    animate(data, "volume", volume)


def _runs(frames: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """The runs (first, last) of True in a boolean array."""
    edges = np.diff(np.concatenate([[0], frames.astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0].tolist(), (np.nonzero(edges == -1)[0] - 1).tolist(), strict=True))


def _ensure_walk_hum() -> bpy.types.Sound:
    """The hum of HUM_SECONDS, synthesised once per file and packed into it."""
    recipe = f"hum {HUM_SECONDS} s"
    found = next((s for s in bpy.data.sounds if s.get(RECIPE_KEY) == recipe), None)
    if found is not None:
        return found
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "backrooms_walk_hum.wav"
        write_hum(path, HUM_SECONDS, HUM_RATE)
        sound = bpy.data.sounds.load(str(path), check_existing=False)
        sound.pack()
    sound.name = "Backrooms walk hum"
    sound[RECIPE_KEY] = recipe
    return sound


def _add_strips(scene: bpy.types.Scene, level: WalkLevel) -> None:
    """The buzz and the footsteps, each a packed sound strip from the walk's first frame on the
    lowest channels no strip uses."""
    editor = scene.sequence_editor_create()
    strips = top_strips(editor)
    used = {strip.channel for strip in _all_strips(editor)}
    channels = [c for c in range(1, 129) if c not in used][: len(_TRACKS)]
    tracks = dict(zip(("buzz", "footsteps"), footage_tracks(level.walk, RATE), strict=True))
    made = []
    with tempfile.TemporaryDirectory() as folder:
        for (key, name, volume), channel in zip(_TRACKS, channels, strict=False):
            path = Path(folder) / f"backrooms_{key}.wav"
            write_wav(path, tracks[key].astype(np.float64), RATE)
            strip = strips.new_sound(name, str(path), channel, FIRST_FRAME)
            strip.sound.pack()
            strip.sound.name = name
            strip.volume = volume
            tag(strip.sound, level.level_id)
            strip.sound[RECIPE_KEY] = f"footage {key}"
            tag_strip(strip, level.level_id)
            made.append(strip)
    record_made_strips(level.collection, made)


def _all_strips(editor: Any) -> Any:
    """Every strip of the editor, those in meta strips too."""
    return editor.strips_all if hasattr(editor, "strips_all") else editor.sequences_all


def mixdown(scene: bpy.types.Scene, path: Path) -> Path:
    """Mix the scene's whole sound (3D speakers heard from the scene's camera, and the sequencer's
    strips) over its frame range to the 16-bit stereo WAV `path`, at the scene's audio rate.
    Raises BackroomsError where Blender is built without audio (the bpy 4.2 wheel)."""
    if not bpy.app.build_options.audaspace:
        raise BackroomsError("this Blender is built without audio (audaspace): it cannot mix sound down")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = scene.frame_current
    try:
        with bpy.context.temp_override(scene=scene):
            result = bpy.ops.sound.mixdown(
                filepath=str(path),
                check_existing=False,
                relative_path=False,
                accuracy=1024,
                container="WAV",
                codec="PCM",
                format="S16",
                mixrate=scene.render.ffmpeg.audio_mixrate,
                channels="STEREO",
                split_channels=False,
            )
    finally:
        scene.frame_set(frame)  # the mixdown steps through every frame to read the animation
    if "FINISHED" not in result or not path.exists():
        raise BackroomsError(f"Blender could not mix the sound down to {path}")
    return path
