"""LevelSpec validation: every bad value names its field and the allowed range."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backrooms_addon.core import InvalidSpecError, LevelSpec
from backrooms_addon.core.spec import LIMITS, SEED_MAX, SEED_MIN


def test_defaults_are_valid_and_round_trip() -> None:
    spec = LevelSpec()
    assert LevelSpec.from_dict(spec.to_dict()) == spec


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("width", 0),
        ("width", -3),
        ("depth", 100_001),
        ("chunk_size", 3),
        ("chunk_size", 65),
        ("room_min", 0),
        ("width", 2.5),
        ("width", True),
        ("seed", 1 << 64),
        ("seed", SEED_MIN - 1),
        ("seed", "7"),
        ("density", -0.01),
        ("density", 1.5),
        ("density", math.nan),
        ("density", math.inf),
        ("cell_size", 0.0),
        ("cell_size", -2.0),
        ("wall_height", 100.0),
        ("wall_thickness", 0.0),
        ("algorithm", "no-such-maze"),
        ("wear", 1.5),
        ("dampness", -0.1),
    ],
)
def test_bad_values_name_the_field_and_range(field: str, value: object) -> None:
    with pytest.raises(InvalidSpecError) as caught:
        LevelSpec.from_dict({field: value})
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    if field in LIMITS:
        assert LIMITS[field].describe() in str(caught.value)


def test_bad_origin_names_the_axis() -> None:
    with pytest.raises(InvalidSpecError, match=r"^origin_y: .*1000000000"):
        LevelSpec(origin=(0, 2_000_000_000))
    with pytest.raises(InvalidSpecError, match=r"^origin: "):
        LevelSpec.from_dict({"origin": [1, 2, 3]})


def test_wall_thickness_must_leave_room_in_a_cell() -> None:
    with pytest.raises(InvalidSpecError, match=r"^wall_thickness: .*half of cell_size"):
        LevelSpec(cell_size=1.0, wall_thickness=0.5)


def test_room_sizes_must_fit() -> None:
    with pytest.raises(InvalidSpecError, match=r"^room_min: must not exceed room_max \(4\)"):
        LevelSpec(room_min=5, room_max=4)
    with pytest.raises(InvalidSpecError, match=r"^room_max: must not exceed chunk_size \(8 cells\)"):
        LevelSpec(chunk_size=8, room_max=9)


def test_memory_estimate_refuses_huge_levels_only() -> None:
    assert LevelSpec(width=2000, depth=2000).memory_estimate_bytes < 8 << 30
    with pytest.raises(InvalidSpecError, match=r"GiB of memory"):
        LevelSpec(width=60_000, depth=60_000)


def test_wallpaper_tint_is_an_srgb_hex_colour() -> None:
    assert LevelSpec(wallpaper_tint="#c9b458").wallpaper_tint == "#c9b458"
    for bad in ("yellow", "#C9B45", 7):
        with pytest.raises(InvalidSpecError, match=r"^wallpaper_tint: must be an sRGB colour #RRGGBB"):
            LevelSpec(wallpaper_tint=bad)  # type: ignore[arg-type]


def test_unknown_field_is_named() -> None:
    with pytest.raises(InvalidSpecError, match=r"^colour: is not a spec field"):
        LevelSpec.from_dict({"colour": "yellow"})


@given(
    seed=st.integers(SEED_MIN, SEED_MAX),
    width=st.integers(1, 2048),
    depth=st.integers(1, 2048),
    density=st.floats(0.0, 1.0),
    origin=st.tuples(st.integers(-(10**9), 10**9), st.integers(-(10**9), 10**9)),
)
def test_any_in_range_spec_is_accepted_and_round_trips(
    seed: int, width: int, depth: int, density: float, origin: tuple[int, int]
) -> None:
    spec = LevelSpec(seed=seed, width=width, depth=depth, density=density, origin=origin)
    assert LevelSpec.from_dict(spec.to_dict()) == spec


@given(value=st.one_of(st.floats(allow_nan=True), st.integers()))
def test_density_outside_zero_one_is_rejected(value: float) -> None:
    inside = not math.isnan(value) and 0.0 <= value <= 1.0
    if inside:
        assert LevelSpec(density=value).density == value
    else:
        with pytest.raises(InvalidSpecError, match=r"^density: must be a number from 0 to 1"):
            LevelSpec(density=value)


def test_replace_validates_again() -> None:
    spec = LevelSpec(seed=3)
    assert spec.replace(width=10).width == 10
    with pytest.raises(InvalidSpecError, match=r"^width"):
        spec.replace(width=0)
