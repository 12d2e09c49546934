"""Footage as files: frame names, the --frames range, what a resumed run still has to render."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backrooms_addon.core.errors import InvalidSpecError
from backrooms_addon.core.footage import frame_file, missing_frames, parse_frames


def test_frames_are_named_by_their_number_from_one(tmp_path: Path) -> None:
    assert frame_file(tmp_path, 1) == tmp_path / "frames" / "000001.png"
    assert frame_file(tmp_path, 14400, ".json").name == "014400.json"


@given(st.integers(1, 5000), st.data())
def test_a_range_within_the_walk_is_taken_as_given(count: int, data: st.DataObject) -> None:
    first = data.draw(st.integers(1, count))
    last = data.draw(st.integers(first, count))
    assert parse_frames(f"{first}-{last}", count) == (first, last)
    assert parse_frames(str(first), count) == (first, first)
    assert parse_frames(None, count) == (1, count)


@pytest.mark.parametrize("text", ["0-3", "5-2", "1-101", "a-b", "-3", "3-", "", "1,2"])
def test_frames_outside_the_walk_name_the_flag(text: str) -> None:
    with pytest.raises(InvalidSpecError, match=r"^frames: .*1 <= A <= B <= 100"):
        parse_frames(text, 100)


def test_a_run_renders_only_the_frames_not_there(tmp_path: Path) -> None:
    (tmp_path / "frames").mkdir()
    for frame in (2, 3, 7):
        frame_file(tmp_path, frame).write_bytes(b"png")
    frame_file(tmp_path, 4, ".json").write_text("{}")  # a timing alone is no frame
    assert missing_frames(tmp_path, list(range(1, 9))) == [1, 4, 5, 6, 8]
