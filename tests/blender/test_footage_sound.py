"""The sound of footage in Blender, measured in its mixdown: the lamps' hum heard from the walking
camera at 60 and 120 Hz, the footsteps on the steps, the sound packed into the file, and Clear
taking away what it made and nothing of the user's."""

from __future__ import annotations

import importlib
import tempfile
import wave
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest

LEVEL_KEY = "backrooms_level"
WALK = {"seed": 3, "width": 8, "depth": 8, "length": 15.0}
needs_audio = pytest.mark.skipif(
    not bpy.app.build_options.audaspace,
    reason="this bpy wheel is built without audio (audaspace): no strips, no mixdown",
)


@pytest.fixture
def sound(addon: ModuleType) -> ModuleType:
    return importlib.import_module(f"{addon.__name__}.realize.footage_sound")


@pytest.fixture
def core_sound(addon: ModuleType) -> ModuleType:
    return importlib.import_module(f"{addon.__name__}.core.footage_sound")


@pytest.fixture
def walked(api: ModuleType, scene: bpy.types.Scene, sound: ModuleType) -> object:
    level = api.walk(**WALK, scene=scene)
    sound.add_footage_sound(scene, level)
    return level


def strips(scene: bpy.types.Scene) -> list[bpy.types.Strip]:
    editor = scene.sequence_editor
    if editor is None:
        return []
    return list(editor.strips if hasattr(editor, "strips") else editor.sequences)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """The WAV's samples, channels averaged, in [-1, 1), and its rate."""
    with wave.open(str(path)) as file:
        assert file.getsampwidth() == 2
        data = np.frombuffer(file.readframes(file.getnframes()), "<i2").reshape(-1, file.getnchannels())
        return data.astype(np.float64).mean(axis=1) / 32768, file.getframerate()


def band(samples: np.ndarray, rate: int, low: float, high: float) -> float:
    """Mean spectral power between `low` and `high` Hz."""
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    hz = np.fft.rfftfreq(len(samples), 1 / rate)
    return float(spectrum[(hz >= low) & (hz < high)].mean())


def onsets(samples: np.ndarray, rate: int, threshold: float) -> np.ndarray:
    """Seconds at which the 1 ms envelope rises past `threshold` after 50 ms below it."""
    width = rate // 1000
    envelope = np.convolve(np.abs(samples), np.ones(width) / width, mode="same")
    above = envelope > threshold
    rising = np.nonzero(above[1:] & ~above[:-1])[0] + 1
    kept = [s for s in rising.tolist() if not above[max(0, s - rate // 20) : s].any()]
    return np.asarray(kept) / rate


def test_the_walk_hums_from_speakers_at_its_lamps(walked: object, scene: bpy.types.Scene, sound: ModuleType) -> None:
    level = walked
    speakers = [o for o in level.collection.objects if o.type == "SPEAKER"]  # type: ignore[attr-defined]
    assert 2 <= len(speakers) <= sound.HUM_PER_CHUNK * len(level.walk.chunks)  # type: ignore[attr-defined]
    assert all(o.get(LEVEL_KEY) == level.level_id for o in speakers)  # type: ignore[attr-defined]
    assert set(speakers) <= set(
        level.collection[  # type: ignore[attr-defined]
            "backrooms_made"
        ]
    ), "the speakers are the level's, for Clear"
    hum = speakers[0].data.sound
    assert hum.packed_file is not None and all(o.data.sound == hum for o in speakers)
    assert scene.camera == level.camera  # type: ignore[attr-defined]
    assert scene.audio_distance_model == "INVERSE_CLAMPED"
    # A speaker is silent while the camera is far from it: its volume is keyed.
    for speaker in speakers:
        volumes = []
        for frame in range(1, scene.frame_end + 1, 4):
            scene.frame_set(frame)
            volumes.append(speaker.data.volume)
        camera = level.walk.route.positions[np.arange(0, scene.frame_end, 4)]  # type: ignore[attr-defined]
        far = np.linalg.norm(camera - np.asarray(speaker.location), axis=1) > sound.HUM_REACH_M + 0.1
        assert max(volumes) > 0.0
        assert not np.asarray(volumes)[far].any()


@needs_audio
def test_the_mixdown_has_the_hum_and_the_footsteps(
    walked: object, scene: bpy.types.Scene, sound: ModuleType, core_sound: ModuleType, tmp_path: Path
) -> None:
    level = walked
    route = level.walk.route  # type: ignore[attr-defined]
    samples, rate = read_wav(sound.mixdown(scene, tmp_path / "all.wav"))
    assert rate == 48_000
    assert len(samples) / rate == pytest.approx(route.frame_count / route.fps, abs=1 / route.fps)
    assert np.abs(samples).max() < 0.99, "no clipping"
    steps = next(s for s in strips(scene) if s.name.startswith("Backrooms footsteps"))
    steps.mute = True
    quiet, _ = read_wav(sound.mixdown(scene, tmp_path / "no_steps.wav"))
    # The hum: lines at 60 Hz mains and the ballast's 120 Hz, far above the bands beside them (the
    # footsteps' low thump spreads round 70 Hz: the 60 Hz line is clearest without them).
    for mix, above in ((samples, 8), (quiet, 20)):
        assert band(mix, rate, 59.5, 60.5) > above * max(band(mix, rate, 40, 55), band(mix, rate, 65, 80))
        assert band(mix, rate, 119.5, 120.5) > 20 * max(band(mix, rate, 90, 110), band(mix, rate, 130, 150))
    # The footsteps: the mixdown less the one with their strip muted is them alone.
    times, _ = core_sound.step_times(route)
    found = onsets(samples - quiet, rate, 0.02)
    assert len(found) == len(times)
    assert np.abs(found - times).max() < 1 / route.fps, "each footfall within a frame of its step"
    # ... and heard over the hum: a footfall's 50 ms is louder than the 50 ms before it.
    louder = []
    for time in times.tolist():
        at = round(time * rate)
        rms = [float(np.sqrt((samples[a : a + rate // 20] ** 2).mean())) for a in (at - rate // 20, at)]
        louder.append(rms[1] / rms[0])
    assert min(louder) > 1.25 and np.median(louder) > 1.8


@needs_audio
def test_the_mixdown_is_the_same_every_time(walked: object, scene: bpy.types.Scene, sound: ModuleType) -> None:
    with tempfile.TemporaryDirectory() as folder:
        first, _ = read_wav(sound.mixdown(scene, Path(folder) / "a.wav"))
        scene.frame_set(100)
        again, _ = read_wav(sound.mixdown(scene, Path(folder) / "b.wav"))
    assert len(first) == len(again)
    assert np.abs(first - again).max() < 1e-3
    assert scene.frame_current == 100, "the frame is put back"


def test_the_sound_is_packed_into_a_saved_file(walked: object, scene: bpy.types.Scene, tmp_path: Path) -> None:
    made = {s.name: s.sound.name for s in strips(scene)}
    if bpy.app.build_options.audaspace:
        assert set(made) == {"Backrooms buzz", "Backrooms footsteps"}
    assert all(s.frame_final_start == 1 for s in strips(scene))
    blend = tmp_path / "walk.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    reopened = bpy.context.scene
    assert {s.name: s.sound.name for s in strips(reopened)} == made
    assert all(bpy.data.sounds[name].packed_file is not None for name in made.values())
    hum = {o.data.sound for o in bpy.data.objects if o.type == "SPEAKER"}
    assert len(hum) == 1 and next(iter(hum)).packed_file is not None


def test_clear_removes_the_strips_and_sounds_it_made_and_nothing_of_the_users(
    api: ModuleType, walked: object, scene: bpy.types.Scene, tmp_path: Path
) -> None:
    editor = scene.sequence_editor_create()
    own = editor.strips if hasattr(editor, "strips") else editor.sequences
    users_sound = tmp_path / "mine.wav"
    with wave.open(str(users_sound), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(48_000)
        file.writeframes(np.zeros(4800, "<i2").tobytes())
    # The user's own strip (a colour strip where this Blender has no audio).
    if bpy.app.build_options.audaspace:
        mine = own.new_sound("my voice over", str(users_sound), 9, 20)
    else:
        mine = own.new_effect("my title", "COLOR", 9, frame_start=20, frame_end=30)
    made_sounds = {s.sound.name for s in strips(scene) if s.name.startswith("Backrooms")}
    assert len(made_sounds) == (2 if bpy.app.build_options.audaspace else 0)
    api.clear(scene)
    assert [s.name for s in strips(scene)] == [mine.name]
    assert not made_sounds & set(bpy.data.sounds.keys())
    assert not [o for o in bpy.data.objects if o.type == "SPEAKER"]
    assert not bpy.data.speakers


@pytest.mark.skipif(bool(bpy.app.build_options.audaspace), reason="this Blender has audio")
def test_without_audio_a_mixdown_says_why(
    walked: object, scene: bpy.types.Scene, sound: ModuleType, addon: ModuleType
) -> None:
    errors = importlib.import_module(f"{addon.__name__}.core.errors")
    with pytest.raises(errors.BackroomsError, match="without audio"):
        sound.mixdown(scene, Path(tempfile.gettempdir()) / "never.wav")


def test_a_new_walk_replaces_the_sound_of_the_last(
    api: ModuleType, walked: object, scene: bpy.types.Scene, sound: ModuleType
) -> None:
    level = api.walk(**{**WALK, "seed": 4}, scene=scene)
    assert not [o for o in bpy.data.objects if o.type == "SPEAKER"], "the old walk's speakers went with it"
    assert not strips(scene)
    sound.add_footage_sound(scene, level)
    speakers = len([o for o in bpy.data.objects if o.type == "SPEAKER"])
    sound.add_footage_sound(scene, level)  # twice: the speakers and strips are replaced, not doubled
    assert len([o for o in bpy.data.objects if o.type == "SPEAKER"]) == speakers > 0
    assert len(bpy.data.speakers) <= speakers
    assert len(strips(scene)) == (2 if bpy.app.build_options.audaspace else 0)
