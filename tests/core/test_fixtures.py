"""Fixtures and the hum: states in the right proportions, flicker patterns, a hum at 60 and 120 Hz."""

from __future__ import annotations

import wave
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.fixtures import _PLACE_STREAM as PLACE_STREAM
from backrooms_addon.core.fixtures import DEAD, FLICKER, STEADY, flicker_curve, place_fixtures
from backrooms_addon.core.hum import RATE, hum_samples, write_hum, write_wav
from backrooms_addon.core.layout import build_layout
from backrooms_addon.core.rng import uniform
from backrooms_addon.core.styles import style_of


def _states(**fields: object) -> np.ndarray:
    spec = LevelSpec(width=120, depth=120, **fields)  # type: ignore[arg-type]
    return place_fixtures(spec, build_layout(spec).solid, style_of(spec.style)).states


def test_fixture_density_and_state_fractions() -> None:
    grid = 60 * 60
    states = _states(fixture_density=0.5, dead_fraction=0.2, flicker_fraction=0.1)
    assert 0.45 * grid < len(states) < 0.55 * grid
    assert abs((states == DEAD).mean() - 0.2) < 0.03
    assert abs((states >= FLICKER).mean() - 0.1) < 0.03
    assert set(np.unique(states[states >= FLICKER]).tolist()) == {2, 3, 4, 5}
    assert (_states(dead_fraction=0.0, flicker_fraction=0.0) == STEADY).all()
    assert len(_states(fixture_density=0.0)) == 0


def test_lamps_only_under_lit_troffers_within_budget() -> None:
    plan = plan_level(LevelSpec(seed=3, width=40, depth=40, dead_fraction=0.5, light_budget=10))
    assert len(plan.lamps) == 10
    assert (plan.lamp_states != DEAD).all()
    assert (plan.fixture_states == DEAD).sum() > 50
    assert len(plan_level(LevelSpec(seed=3, light_budget=0)).lamps) == 0


def test_flicker_curves_stutter_and_differ() -> None:
    curves = [flicker_curve(0, phase) for phase in range(4)]
    for curve in curves:
        assert curve.max() == 1.0 and curve.min() < 0.1
        assert 0.6 < (curve == 1.0).mean() < 0.95, "mostly on, with bursts"
    assert len({curve.tobytes() for curve in curves}) == 4


def test_hum_has_its_energy_at_60_and_120_hz(tmp_path) -> None:
    samples = hum_samples(seconds=2.0)
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)

    def band(f: float) -> float:
        return float(spectrum[np.abs(freqs - f) < 2].sum())

    total = float(spectrum.sum())
    assert band(120) > band(60) > 0.05 * total, "the 120 Hz buzz leads, the 60 Hz hum under it"
    assert band(60) + band(120) + band(180) + band(240) > 0.8 * total
    assert np.array_equal(samples, hum_samples(seconds=2.0)), "deterministic"
    # A whole number of mains cycles: the loop joins without a click.
    assert len(samples) % (RATE // 60) == 0
    path = tmp_path / "hum.wav"
    write_wav(path, samples)
    with wave.open(str(path), "rb") as file:
        assert (file.getnchannels(), file.getsampwidth(), file.getframerate()) == (1, 2, RATE)
        pcm = np.frombuffer(file.readframes(file.getnframes()), "<i2")
    assert len(pcm) == len(samples) and path.stat().st_size == 44 + 2 * len(samples), "a plain 44-byte header"
    # 16-bit PCM at 80% of full scale: the samples come back within half a step.
    assert np.abs(pcm / (32767 * 0.8) - samples).max() <= 0.5 / (32767 * 0.8) + 1e-12


@pytest.mark.parametrize(("seconds", "rate"), [(12.0, RATE), (2.0, 22_050), (0.4, RATE)])
def test_the_hum_written_from_one_second_is_the_hum_written_whole(tmp_path, seconds: float, rate: int) -> None:
    whole, looped = tmp_path / "whole.wav", tmp_path / "looped.wav"
    write_wav(whole, hum_samples(seconds, rate), rate)
    write_hum(looped, seconds, rate)
    assert looped.read_bytes() == whole.read_bytes()


def _plain_places(spec: LevelSpec, solid: np.ndarray, spacing: int) -> tuple[np.ndarray, np.ndarray]:
    """Every cell of the region hashed, then those on the world's fixture grid kept: the plain
    version of place_fixtures' placement, which hashes only the grid's cells."""
    ys, xs = np.nonzero(np.ones((spec.depth, spec.width), np.bool_))
    world_x, world_y = xs + spec.origin[0], ys + spec.origin[1]
    on_grid = (world_x % spacing == 0) & (world_y % spacing == 0)
    present = uniform(spec.seed, PLACE_STREAM, world_x, world_y) < spec.fixture_density
    keep = on_grid & present & ~solid[ys, xs]
    return xs[keep], ys[keep]


@settings(max_examples=40)
@given(
    seed=st.integers(0, 2**31),
    size=st.tuples(st.integers(1, 40), st.integers(1, 40)),
    origin=st.tuples(st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6)),
    spacing=st.integers(1, 4),
)
def test_fixtures_stand_where_hashing_every_cell_puts_them(
    seed: int, size: tuple[int, int], origin: tuple[int, int], spacing: int
) -> None:
    spec = LevelSpec(seed=seed, width=size[0], depth=size[1], origin=origin, fixture_density=0.6)
    solid = np.random.default_rng(seed).random((spec.depth, spec.width)) < 0.3
    style = replace(style_of(spec.style), fixture_spacing=spacing)
    xs, ys = _plain_places(spec, solid, spacing)
    centres = place_fixtures(spec, solid, style).centres
    np.testing.assert_array_equal(centres[:, 0], (xs + 0.5) * spec.cell_size)
    np.testing.assert_array_equal(centres[:, 1], (ys + 0.5) * spec.cell_size)
