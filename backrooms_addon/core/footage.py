"""Footage as files: a frame's file name, the frames a run asks for, and which of them are still to render."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import InvalidSpecError

FRAMES_FOLDER = "frames"
FRAME_DIGITS = 6  # 999,999 frames: over eleven hours at 24 fps


def frame_file(out: Path, frame: int, suffix: str = ".png") -> Path:
    """Where frame `frame` (counted from 1, as in Blender) is written: DIR/frames/000001.png."""
    return out / FRAMES_FOLDER / f"{frame:0{FRAME_DIGITS}d}{suffix}"


def parse_frames(text: str | None, count: int) -> tuple[int, int]:
    """`--frames A-B` (or a single frame A) within the walk's frames 1 to `count`; all by default."""
    if text is None:
        return 1, count
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", text)
    first, last = (int(match[1]), int(match[2] or match[1])) if match else (0, -1)
    if not match or not 1 <= first <= last <= count:
        raise InvalidSpecError("frames", f"must be A-B with 1 <= A <= B <= {count} (the walk's frames), got {text!r}")
    return first, last


def missing_frames(out: Path, frames: list[int]) -> list[int]:
    """The frames of `frames` whose file is not there yet (a run resumes where one stopped)."""
    return [frame for frame in frames if not frame_file(out, frame).exists()]
