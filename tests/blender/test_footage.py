"""The `footage` command as users run it: frames named by number, the video's streams and sound,
shards sharing a folder, a killed run resumed, and bad input refused before anything renders.

Tiny footage: a 13-frame walk at 12 fps, 160 x 120, one sample; the video is read with ffprobe
and its sound decoded with ffmpeg (test tools that tools/setup.sh installs)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import bpy
import numpy as np
import pytest
from blender_support import ROOT
from PIL import Image

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("ffprobe") is None, reason="needs ffprobe (tools/setup.sh installs ffmpeg)"),
]

WALK = ["--seed", "3", "--width", "8", "--depth", "8", "--length", "2", "--speed", "2", "--fps", "12"]
TINY = ["--resolution", "160x120", "--samples", "1"]
FRAMES = 13
HAS_SOUND = bool(bpy.app.build_options.audaspace)  # the bpy 4.2 wheel is built without sound


def footage(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "backrooms_addon", "footage", *WALK, *TINY, "--out", str(out), *extra]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def streams(video: Path) -> dict[str, dict[str, str]]:
    probe = ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height,duration"]
    lines = subprocess.run([*probe, "-of", "json", str(video)], capture_output=True, text=True, check=True).stdout
    return {s["codec_type"]: s for s in json.loads(lines)["streams"]}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("footage")
    result = footage(out)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def test_every_frame_is_a_file_named_by_its_number(made: Path) -> None:
    pngs = sorted(p.name for p in (made / "frames").glob("*.png"))
    assert pngs == [f"{frame:06d}.png" for frame in range(1, FRAMES + 1)]
    assert not [p for p in made.rglob(".*partial*")], "no temporary file left"


def test_the_video_is_h264_of_every_frame_with_its_sound(made: Path) -> None:
    found = streams(made / "footage.mp4")
    video = found["video"]
    assert video["codec_name"] == "h264" and (int(video["width"]), int(video["height"])) == (160, 120)
    assert float(video["duration"]) == pytest.approx(FRAMES / 12, abs=0.1)
    assert ("audio" in found) == HAS_SOUND
    if HAS_SOUND:
        assert found["audio"]["codec_name"] == "aac"


@pytest.mark.skipif(not HAS_SOUND, reason="the bpy 4.2 wheel is built without sound")
def test_the_sound_has_the_hum_at_60_and_120_hz(made: Path, tmp_path: Path) -> None:
    wav = tmp_path / "sound.wav"
    decode = ["ffmpeg", "-v", "error", "-i", str(made / "footage.mp4"), "-ac", "1", "-ar", "48000", str(wav)]
    subprocess.run(decode, check=True)
    with wave.open(str(wav)) as sound:
        samples = np.frombuffer(sound.readframes(sound.getnframes()), np.int16).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    hz = np.fft.rfftfreq(len(samples), 1 / 48000)

    def band(low: float, high: float) -> float:
        return float(spectrum[(hz >= low) & (hz < high)].mean())

    assert band(115, 125) > 20 * band(130, 170), "the 120 Hz buzz stands out"
    assert band(57, 63) > 3 * band(75, 95), "and the 60 Hz hum"


def test_the_document_has_the_walk_the_look_and_each_frame_s_time(made: Path) -> None:
    document = json.loads((made / "footage.json").read_text())
    assert document["format"] == "backrooms-walk" and len(document["frames"]) == FRAMES
    assert document["look"] == "vhs" and document["render"]["resolution"] == [160, 120]
    assert len(document["frame_seconds"]) == FRAMES and all(s > 0 for s in document["frame_seconds"])


def test_shards_share_a_folder_and_the_last_one_encodes(tmp_path: Path, made: Path) -> None:
    first = footage(tmp_path, "--shard", "0/2", "--jobs", "2")
    assert first.returncode == 0, first.stderr[-2000:]
    assert not (tmp_path / "footage.mp4").exists(), "half the frames: no video yet"
    second = footage(tmp_path, "--shard", "1/2")
    assert second.returncode == 0, second.stderr[-2000:]
    assert "7 to render" in first.stderr and "6 to render" in second.stderr
    assert (tmp_path / "footage.mp4").exists()
    encoded_at = (tmp_path / "footage.mp4").stat().st_mtime_ns
    again = footage(tmp_path)
    assert again.returncode == 0 and "0 to render" in again.stderr
    assert (tmp_path / "footage.mp4").stat().st_mtime_ns == encoded_at, "nothing rendered, nothing encoded twice"
    # Worker processes (--jobs 2) draw the tape (noise, clock) as a run in one process does.
    for frame in (1, 3):
        by_worker = np.asarray(Image.open(tmp_path / "frames" / f"00000{frame}.png"), np.float64)
        in_process = np.asarray(Image.open(made / "frames" / f"00000{frame}.png"), np.float64)
        assert np.abs(by_worker - in_process).mean() < 1.0, frame


def test_the_clock_starts_at_the_date_given(tmp_path: Path, made: Path) -> None:
    result = footage(tmp_path, "--frames", "1-1", "--date", "2003-12-31 23:59:59")
    assert result.returncode == 0, result.stderr[-2000:]
    dated = np.asarray(Image.open(tmp_path / "frames" / "000001.png"), np.float64)
    default = np.asarray(Image.open(made / "frames" / "000001.png"), np.float64)
    rows = slice(int(0.82 * dated.shape[0]), int(0.95 * dated.shape[0]))  # the date and time line
    assert np.abs(dated[rows] - default[rows]).mean() > 3 * np.abs(dated[: rows.start] - default[: rows.start]).mean()


def test_a_killed_run_resumes_where_it_stopped(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "backrooms_addon", "footage", *WALK, *TINY, "--out", str(tmp_path)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(list((tmp_path / "frames").glob("0*.png"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done = len(list((tmp_path / "frames").glob("0*.png")))
    assert 3 <= done < FRAMES
    resumed = footage(tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"{done} already rendered, {FRAMES - done} to render" in resumed.stderr
    assert len(list((tmp_path / "frames").glob("0*.png"))) == FRAMES and (tmp_path / "footage.mp4").exists()
    assert not [p for p in tmp_path.rglob(".*partial*")]


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (["--look", "sepia"], "look"),
        (["--resolution", "0x0"], "resolution"),
        (["--frames", "0-999"], "frames"),
        (["--date", "yesterday"], "date"),
        (["--jobs", "0"], "jobs"),
    ],
)
def test_bad_input_is_one_line_naming_the_flag_before_anything_renders(
    tmp_path: Path, flags: list[str], field: str
) -> None:
    out = tmp_path / "out"
    result = footage(out, *flags)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith(f"error: {field}: ")
    assert not out.exists()
