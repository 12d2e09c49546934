"""Footage in Blender: a walk's scene set up as a camcorder's, a frame rendered, the frames encoded with their sound."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import bpy

from ..core.render import RENDER_PRESETS, preset_key
from .camera_rig import camcorder_lens
from .output import apply_render_preset

ENCODE_SCENE = "Backrooms footage encode"


def set_up_footage(
    scene: bpy.types.Scene,
    level: Any,
    look: str,
    engine: str = "cycles",
    samples: int | None = None,
    resolution: tuple[int, int] | None = None,
    start: datetime | None = None,
) -> None:
    """The walk's scene as footage: the footage render preset of `engine`, a 4:3 camcorder lens,
    the tape look `look` (its noise seeded by the level's seed, its clock set to `start`) and the
    sound of the place."""
    from .camcorder import apply_look
    from .footage_sound import add_footage_sound

    apply_render_preset(scene, RENDER_PRESETS[preset_key(engine, "footage")], samples, resolution)
    scene.render.image_settings.color_mode = "RGB"
    camcorder_lens(level.camera.data, sensor_4_3=True)
    apply_look(scene, look, level.walk.spec.seed, start)
    if bpy.app.build_options.audaspace:  # the bpy 4.2 wheel is built without sound
        add_footage_sound(scene, level)


def render_frame(scene: bpy.types.Scene, frame: int, path: Path) -> None:
    """Render `frame` of the scene's camera to the PNG `path`."""
    scene.frame_set(frame)
    scene.render.filepath = str(path)
    scene.render.use_file_extension = False
    bpy.ops.render.render(write_still=True)


def encode(frames: list[Path], fps: int, size: tuple[int, int], sound: Path | None, path: Path) -> None:
    """H.264 video with AAC sound in an MP4, by Blender's own FFmpeg through the sequencer: the
    frames as an image strip, the sound (a mixdown) as a sound strip, in a scene of their own."""
    scene = bpy.data.scenes.new(ENCODE_SCENE)
    try:
        editor = scene.sequence_editor_create()
        strips = editor.strips if hasattr(editor, "strips") else editor.sequences  # 5.x and 4.2
        images = strips.new_image("frames", str(frames[0]), channel=1, frame_start=1)
        for frame in frames[1:]:
            images.elements.append(frame.name)
        if sound is not None:
            strips.new_sound("sound", str(sound), channel=2, frame_start=1)
        scene.frame_start, scene.frame_end = 1, len(frames)
        scene.render.fps, scene.render.fps_base = fps, 1.0
        scene.render.resolution_x, scene.render.resolution_y = size
        scene.render.resolution_percentage = 100
        _video_output(scene, sound is not None)
        scene.render.filepath = str(path)
        scene.render.use_file_extension = False
        bpy.ops.render.render(animation=True, scene=scene.name)
    finally:
        bpy.data.scenes.remove(scene)
    if not path.exists() or os.path.getsize(path) == 0:
        raise RuntimeError(f"Blender's FFmpeg wrote no video to {path}")


def _video_output(scene: bpy.types.Scene, with_sound: bool) -> None:
    settings = scene.render.image_settings
    if hasattr(settings, "media_type"):  # Blender 5.0: images and videos are separate media
        settings.media_type = "VIDEO"
    settings.file_format = "FFMPEG"
    ffmpeg = scene.render.ffmpeg
    ffmpeg.format = "MPEG4"
    ffmpeg.codec = "H264"
    ffmpeg.constant_rate_factor = "HIGH"
    ffmpeg.audio_codec = "AAC" if with_sound else "NONE"
    if with_sound:
        ffmpeg.audio_bitrate = 192
        ffmpeg.audio_channels = "STEREO"
        ffmpeg.audio_mixrate = 48000
