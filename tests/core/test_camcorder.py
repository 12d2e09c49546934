"""The camcorder look's pure part: the looks, the display's text and raster, the tape's seeded noise and tearing."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

import numpy as np
import pytest

from backrooms_addon.core import camcorder
from backrooms_addon.core.camcorder import DEFAULT_START, LOOKS, look_named, osd_raster, osd_text
from backrooms_addon.core.errors import InvalidSpecError


def test_three_looks_with_their_labels() -> None:
    assert {name: look.label for name, look in LOOKS.items()} == {
        "clean": "Clean",
        "vhs": "VHS (1990s)",
        "camcorder": "Camcorder (2000s)",
    }
    assert all(look.name == name for name, look in LOOKS.items())


def test_strengths_stay_in_their_ranges_and_clean_has_none() -> None:
    for look in LOOKS.values():
        strengths = look.strengths()
        assert set(strengths) == {f.name for f in fields(look)} - {"name", "label", "osd"}
        assert 0 <= strengths.pop("chroma_shift") <= 8
        assert all(0 <= value <= 1 for value in strengths.values())
    assert not any(LOOKS["clean"].strengths().values()) and not LOOKS["clean"].has_effects
    vhs, camcorder_look = LOOKS["vhs"], LOOKS["camcorder"]
    assert vhs.chroma_shift > camcorder_look.chroma_shift and vhs.wash > camcorder_look.wash, "the older tape is worse"


def test_an_unknown_look_is_refused_naming_the_choices() -> None:
    with pytest.raises(InvalidSpecError, match=r"^look: must be one of camcorder, clean, vhs, got 'super8'$"):
        look_named("super8")
    assert look_named("vhs") is LOOKS["vhs"]


def test_the_clock_starts_at_the_start_and_advances_once_a_second() -> None:
    assert osd_text(DEFAULT_START, 1, 24) == ("REC", "AUG 14 1996  9:37:05 PM")
    assert osd_text(DEFAULT_START, 24, 24) == osd_text(DEFAULT_START, 1, 24)
    assert osd_text(DEFAULT_START, 25, 24)[1] == "AUG 14 1996  9:37:06 PM"
    assert osd_text(DEFAULT_START, 1 + 24 * 24 * 60 * 60, 24)[1] == "AUG 15 1996  9:37:05 PM"
    assert osd_text(DEFAULT_START, 1, 30, mode="PLAY")[0] == "PLAY"


def test_the_clock_reads_as_a_twelve_hour_one() -> None:
    assert osd_text(datetime(2003, 1, 2, 0, 5, 9), 1, 25)[1] == "JAN  2 2003  12:05:09 AM"
    assert osd_text(datetime(2003, 12, 31, 12, 0, 0), 1, 25)[1] == "DEC 31 2003  12:00:00 PM"
    assert osd_text(datetime(2003, 12, 31, 23, 59, 59), 26, 25)[1] == "JAN  1 2004  12:00:00 AM"


def test_a_bad_mode_or_frame_rate_is_refused() -> None:
    with pytest.raises(InvalidSpecError, match=r"^mode: "):
        osd_text(DEFAULT_START, 1, 24, mode="PAUSE")
    with pytest.raises(InvalidSpecError, match=r"^fps: "):
        osd_text(DEFAULT_START, 1, 0)


def test_the_font_has_every_character_the_display_shows() -> None:
    months = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC"
    for char in set(months + "0123456789: AMPRECPLAY"):
        bitmap = camcorder.glyph(char)
        assert bitmap.shape == (7, 5) and (bitmap.any() or char == " ")
    shapes = {camcorder.glyph(c).tobytes() for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ:"}
    assert len(shapes) == 37, "no two characters look alike"


def test_the_display_is_white_text_with_a_shadow_top_and_bottom_left() -> None:
    raster = osd_raster(("REC", "AUG 14 1996  9:37:05 PM"), 640, 480)
    assert raster.shape == (480, 640, 4) and raster.dtype == np.float32
    top_down = raster[::-1]
    lit = top_down[..., 3] == 1.0
    rows = np.flatnonzero(lit.any(axis=1))
    assert rows.min() >= 30 and rows.max() <= 450
    assert lit[:240, :].any() and lit[240:, :].any(), "the mode at the top, the clock at the bottom"
    assert not lit[:, 480:].any(), "on the left"
    assert (top_down[lit][:, :3] == 1.0).all()
    assert ((top_down[..., 3] > 0) & ~lit).any(), "a shadow to read it on a white wall"
    glyph_rows = np.flatnonzero(lit[240:].any(axis=1))
    assert glyph_rows.max() - glyph_rows.min() + 1 == 21, "7 font pixels of 3 px at 640 px wide"


def test_the_display_follows_the_clock_and_scales_with_the_frame() -> None:
    one, same, later = (osd_raster(osd_text(DEFAULT_START, f, 24), 320, 240) for f in (1, 2, 25))
    assert np.array_equal(one, same) and not np.array_equal(one, later)
    changed = np.flatnonzero((one != later).any(axis=(0, 2)))
    assert changed.min() > 160, "only the seconds change"
    assert osd_raster(("", ""), 64, 48).max() == 0


def test_tape_noise_is_seeded_and_new_every_frame() -> None:
    first = camcorder.tape_noise(5, 1, 160, 120)
    assert first.shape == (120, 160, 4) and first.dtype == np.float32
    assert np.array_equal(first, camcorder.tape_noise(5, 1, 160, 120))
    assert not np.allclose(first[..., :3], camcorder.tape_noise(5, 2, 160, 120)[..., :3])
    assert not np.allclose(first[..., :3], camcorder.tape_noise(6, 1, 160, 120)[..., :3])
    grain = camcorder.tape_noise(5, 1, 640, 48)[..., 0]
    assert abs(grain.mean()) < 0.1 and 0.7 < grain.std() < 1.3
    sideways = np.corrcoef(grain[:, :-1].ravel(), grain[:, 1:].ravel())[0, 1]
    down = np.corrcoef(grain[:-1].ravel(), grain[1:].ravel())[0, 1]
    assert sideways > 0.3 and abs(down) < 0.1, "the grain streaks along the lines"
    dropouts = np.stack([camcorder.tape_noise(5, f, 160, 120)[..., 3] for f in range(1, 100)])
    assert set(np.unique(dropouts)) <= {0.0, 1.0} and 0 < dropouts.mean() < 0.01


def test_the_head_switching_band_tears_the_bottom_lines_only() -> None:
    shift = camcorder.tape_shift(3, 7, 24, 640, 480)
    assert shift.shape == (480, 640, 4)
    band = np.flatnonzero(shift[:, 0, 0] != 0)  # Blender's rows: the bottom one first
    assert band.max() < 10 and len(band) >= 8
    assert (np.abs(shift[:10, :, 0]) < 25).all() and abs(shift[0, 0, 0]) > abs(shift[9, 0, 0])
    assert not np.array_equal(shift[..., 0], camcorder.tape_shift(3, 8, 24, 640, 480)[..., 0]), "it jitters"


def test_tracking_faults_come_now_and_then() -> None:
    fps, frames = 24, 24 * 120
    glitches = {camcorder.glitch_near(1, f, fps) for f in range(1, frames + 1)} - {None}
    windows = frames // (camcorder.GLITCH_WINDOW_S * fps)
    assert 0.2 * windows < len(glitches) < 0.6 * windows
    torn = [f for f in range(1, frames + 1, 3) if camcorder.tape_shift(1, f, fps, 64, 48)[..., 1].any()]
    assert 0 < len(torn) < 0.15 * len(range(1, frames + 1, 3)), "most frames are clean"
    for glitch in glitches:
        assert glitch is not None and 2 <= glitch.frames < fps // 2


def test_the_vignette_darkens_the_corners_only() -> None:
    light = camcorder.tape_shift(0, 1, 24, 640, 480)[..., 2]
    assert light[240, 320] > 0.99 and light[0, 0] < 0.1 and (light >= 0).all()
