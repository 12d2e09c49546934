"""The footage's sound, measured: the buzz follows the flicker of the lamps near the camera, the
footsteps land on the steps and stop at stops, and the mix never clips."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np
import pytest

from backrooms_addon.core import footage_sound as fs
from backrooms_addon.core.fixtures import FLICKER, SODIUM, STEADY, flicker_curve
from backrooms_addon.core.spec import LevelSpec
from backrooms_addon.core.stream import Walk, plan_walk, walk_tiles
from backrooms_addon.core.walk import Route

RATE = fs.RATE


@cache
def small_walk() -> Walk:
    """20 m with stops in it, passing a flickering lamp within 3 m early on."""
    return plan_walk(LevelSpec(seed=5, width=8, depth=8), length=20.0, shake=0.0)


def frame_rms(samples: np.ndarray, frames: int, fps: int) -> np.ndarray:
    per = RATE // fps
    return np.sqrt((samples[: frames * per].astype(np.float64).reshape(frames, per) ** 2).mean(axis=1))


def onsets(samples: np.ndarray, threshold: float) -> np.ndarray:
    """Seconds at which the 1 ms envelope rises past `threshold` after 50 ms below it."""
    width = RATE // 1000
    envelope = np.convolve(np.abs(samples.astype(np.float64)), np.ones(width) / width, mode="same")
    above = envelope > threshold
    rising = np.nonzero(above[1:] & ~above[:-1])[0] + 1
    quiet = RATE // 20
    kept = [s for s in rising.tolist() if not above[max(0, s - quiet) : s].any()]
    return np.asarray(kept) / RATE


def test_the_same_walk_sounds_the_same() -> None:
    walk = small_walk()
    first, again = fs.footage_sound(walk), fs.footage_sound(plan_walk(walk.spec, length=20.0, shake=0.0))
    assert first.dtype == np.float32
    assert np.array_equal(first, again)
    other = fs.footsteps_track(replace(walk, spec=walk.spec.replace(seed=6)))
    assert not np.array_equal(fs.footsteps_track(walk), other), "the steps vary with the seed"


def test_every_track_lasts_the_walks_frames() -> None:
    walk = small_walk()
    seconds = walk.route.frame_count / walk.route.fps
    for track in (fs.buzz_track(walk), fs.footsteps_track(walk), fs.footage_sound(walk)):
        assert len(track) == pytest.approx(seconds * RATE, abs=1)
    assert len(fs.footage_sound(walk, 44_100)) == pytest.approx(seconds * 44_100, abs=1)


def test_the_mix_never_clips() -> None:
    walk = small_walk()
    mixed = fs.footage_sound(walk)
    assert 0.3 < np.abs(mixed).max() <= fs.PEAK + 1e-6
    buzz, steps = fs.footage_tracks(walk)
    assert np.allclose(buzz + steps, mixed)
    # A walk under many lamps at once is scaled down, not clipped.
    loud = fs.buzz_samples(np.full(48, 30.0), np.full(48, 30.0), np.full(48, 30.0), 24)
    assert np.abs(loud).max() > 1.0, "the raw buzz of thirty lamps would clip"


def test_a_footfall_lands_on_every_step_and_none_at_stops() -> None:
    walk = small_walk()
    route = walk.route
    times, paces = fs.step_times(route)
    walked = fs.walked(route)
    assert len(times) == int(walked[-1] / fs.STEP_LENGTH)
    # Where the distance walked passes each multiple of the step length, the bob's lowest point.
    frames = np.interp(np.arange(1, len(times) + 1) * fs.STEP_LENGTH, walked, np.arange(len(walked)))
    assert np.allclose(times * route.fps, frames, atol=1e-6)
    found = onsets(fs.footsteps_track(walk), 0.02)
    assert len(found) == len(times)
    assert np.abs(found - times).max() < 1 / route.fps, "each footfall heard within a frame of its step"
    assert (paces >= 0.4).all() and (paces <= 1).all()


def test_standing_still_is_silent_underfoot() -> None:
    walk = small_walk()
    route = walk.route
    moves = np.linalg.norm(np.diff(route.positions[:, :2], axis=0), axis=1)
    standing = np.nonzero(moves < fs.MOVED_M)[0] + 1  # frames that did not move from the one before
    assert len(standing) > 48, "the walk stops for more than two seconds"
    rms = frame_rms(fs.footsteps_track(walk), route.frame_count, route.fps)
    # A footfall started just before a stop rings on for STEP_S; after that, silence.
    ring = int(np.ceil(fs.STEP_S * route.fps)) + 1
    still = [f for f in standing.tolist() if all(f - k in set(standing.tolist()) for k in range(ring))]
    assert still, "some frames well into a stop"
    assert rms[still].max() == 0.0
    # A route that never moves has no steps at all.
    frozen = Route(np.repeat(route.positions[:1], 48, 0), np.zeros(48), np.zeros(48), 24, 1.4, route.cells[:1])
    assert not fs.footsteps_track(replace(walk, route=frozen)).any()


def test_the_keyed_power_is_the_flicker_curve_repeated_after_its_last_key() -> None:
    curve = flicker_curve(0, 2)
    power = fs.lamp_power(FLICKER + 2, 800)
    assert np.array_equal(power[: len(curve)], curve)
    assert np.array_equal(power[len(curve) : 2 * len(curve) - 1], curve[1:]), "frames 2 to n again"
    assert np.ptp(power[500:]) > 0, "still flickering long after the keys end"
    assert (fs.lamp_power(STEADY, 10) == 1).all() and (fs.lamp_power(SODIUM, 10) == 1).all()


def test_the_buzz_follows_a_flickering_lamp_walked_past() -> None:
    # A straight corridor under one failing tube: 14 m at 1.4 m/s, the lamp 1.2 m above the eye.
    fps, frames = 24, 240
    x = np.linspace(-7.0, 7.0, frames)
    camera = np.column_stack([x, np.zeros(frames), np.full(frames, 1.6)])
    lamp, state = np.array([[0.0, 0.5, 2.8]]), np.array([FLICKER + 1], np.int8)
    envelopes = fs.buzz_envelopes(camera, lamp, state)
    rms = frame_rms(fs.buzz_samples(*envelopes, fps, RATE, seed=1), frames, fps)
    expected = fs.nearness(np.linalg.norm(camera - lamp[0], axis=1)) * fs.lamp_power(FLICKER + 1, frames)
    assert np.corrcoef(rms, expected)[0, 1] > 0.97
    assert rms[expected == 0].max() == 0.0, "out of reach: silent"
    # The stutter is frame-exact: a blackout frame in reach is far quieter than its lit neighbours.
    dark = [f for f in range(1, frames - 1) if expected[f] > 0 and fs.lamp_power(FLICKER + 1, frames)[f] < 0.1]
    assert dark, "the tube blacks out while near"
    for f in dark:
        assert rms[f] < 0.5 * max(rms[f - 1], rms[f + 1]) or expected[f - 1] < 0.1 or expected[f + 1] < 0.1


def test_the_buzz_of_a_real_walk_follows_its_nearby_flicker() -> None:
    walk = small_walk()
    lamps, states = fs.near_lamps(walk)
    failing = [k for k, s in enumerate(states.tolist()) if FLICKER <= s < SODIUM]
    assert failing, "the walk passes a flickering lamp"
    camera = walk.route.positions
    lamp = failing[0]
    near = fs.nearness(np.linalg.norm(camera - lamps[lamp], axis=1))
    expected = near * fs.lamp_power(int(states[lamp]), len(camera))
    frames = np.nonzero(near > 0)[0]
    rms = frame_rms(fs.buzz_track(walk), len(camera), walk.route.fps)
    assert np.corrcoef(rms[frames], expected[frames])[0, 1] > 0.9
    # Steady lamps near the camera give a quiet buzz; beyond reach of every lamp, silence.
    steady, flicker, _ = fs.buzz_envelopes(camera, lamps, states)
    assert (rms[(steady > 0) & (flicker == 0)] > 0).all()
    assert (rms[(steady == 0) & (flicker == 0)] == 0).all()


def test_the_buzz_is_a_ballast_hum_at_120_hz() -> None:
    frames = 48
    samples = fs.buzz_samples(np.ones(frames), np.zeros(frames), np.zeros(frames), 24)
    spectrum = np.abs(np.fft.rfft(samples))
    hz = np.fft.rfftfreq(len(samples), 1 / RATE)
    band = lambda low, high: spectrum[(hz >= low) & (hz < high)].max()  # noqa: E731
    assert band(115, 125) > 20 * band(60, 110)
    assert band(235, 245) > 10 * band(150, 230)


def test_the_lamps_heard_are_the_walks_own_lamps_within_reach() -> None:
    walk = small_walk()
    lamps, states = fs.near_lamps(walk)
    every = [
        (tuple(np.round(p + np.array([*walk.chunk_offset(chunk), 0.0]), 6)), int(s))
        for chunk, plan in walk_tiles(walk)
        for p, s in zip(plan.lamps, plan.lamp_states.tolist(), strict=True)
    ]
    reach = [
        item for item in every if np.linalg.norm(walk.route.positions - np.array(item[0]), axis=1).min() <= fs.NEAR_M
    ]
    assert sorted(reach) == sorted((tuple(np.round(p, 6)), int(s)) for p, s in zip(lamps, states.tolist(), strict=True))
