"""The sound of a walk's footage, synthesised with numpy: the buzz and crackle of the lamps near the
camera, and soft footsteps on the carpet in step with the walker's bob.

Everything here is a pure function of the walk (its route, its chunks' lamps and its seed): the same
walk always sounds the same. Time 0 is the walk's first frame; route frame k starts at k / fps.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from .fixtures import FLICKER, SODIUM, flicker_curve
from .plan import plan_level
from .rng import uniform
from .stream import Walk, tile_spec
from .walk import Route

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
I8 = npt.NDArray[np.int8]

RATE = 48_000  # samples per second of the footage's sound
STEP_LENGTH = 0.75  # metres per step: 1.4 m/s makes 1.87 steps a second (the camera's bob follows it)
NEAR_M = 6.0  # a lamp further than this from the camera is not heard buzzing
BALLAST_HZ = 120.0  # a magnetic ballast hums at twice the mains frequency
MOVED_M = 1e-6  # a frame-to-frame move below this is standing still (as the bob reads it)
PEAK = 0.9  # the mix is scaled down to peak at this when it would go higher

# Loudness of each part at full nearness (a lamp right at the camera), before the mix is limited.
STEADY_GAIN = 0.08  # a steady tube's ballast: a quiet, steady buzz
FLICKER_GAIN = 0.35  # a failing tube's ballast buzzes harder, in time with its flicker
CRACKLE_GAIN = 0.6  # the crack of an arc striking or dying as a failing tube changes brightness
STEP_GAIN = 0.45  # a footfall on the carpet
CRACKLE_S = 0.008  # how fast a crackle dies away
STEP_S = 0.14  # a footfall's length

_BLOCK_S = 10  # seconds synthesised at a time, so a long walk does not need huge temporaries
_RASP, _CRACKLE, _STEP, _STEP_NOISE = 0x52415350, 0x4352414B, 0x53544550, 0x534E4F49  # rng streams


def lamp_power(state: int, frames: int) -> F64:
    """Per route frame, the power (1 is full) a lamp of fixture state `state` shines at in Blender:
    realize/level.py keys a flickering light's energy with flicker_curve(0, phase) from the first
    frame and repeats the keys (a Cycles modifier: after the last key comes the second key's value,
    the curve's frames 2 to n over and over); every other lamp is steady."""
    if FLICKER <= state < SODIUM:
        curve = flicker_curve(0, state - FLICKER)
        k = np.arange(frames)
        cycled: F64 = curve[np.where(k == 0, 0, (k - 1) % (len(curve) - 1) + 1)]
        return cycled
    return np.ones(frames)


def near_lamps(walk: Walk, reach: float = NEAR_M) -> tuple[F64, I8]:
    """The lit lamps of the walk's chunks that come within `reach` metres of the camera (the
    troffers' centres in the walk's frame, (j, 3)) and their fixture states."""
    found = chunk_lamps(walk, reach)
    if not found:
        return np.zeros((0, 3)), np.zeros(0, np.int8)
    return np.concatenate([p for _, p, _ in found]), np.concatenate([s for _, _, s in found]).astype(np.int8)


def chunk_lamps(walk: Walk, reach: float = NEAR_M) -> list[tuple[tuple[int, int], F64, I8]]:
    """Per tile walk_tiles builds (a chunk, or a block's first chunk), its lit lamps that come
    within `reach` metres of the camera, in the walk's frame, and their states. Only the tiles the
    route passes within reach of are planned."""
    camera = walk.route.positions
    found = []
    for chunk, count in _tiles(walk):
        if walk.whole_region:
            plan = plan_level(walk.spec)
        else:
            size_m = walk.spec.chunk_size * walk.spec.cell_size
            low = np.asarray(walk.chunk_offset(chunk))
            gap = np.maximum(np.maximum(low - camera[:, :2], camera[:, :2] - (low + np.asarray(count) * size_m)), 0.0)
            if np.hypot(gap[:, 0], gap[:, 1]).min() > reach:
                continue
            plan = plan_level(tile_spec(walk.spec, chunk, count))
        lamps = plan.lamps + np.array([*walk.chunk_offset(chunk), 0.0])
        keep = np.array([_closest(camera, lamp) <= reach for lamp in lamps], np.bool_)
        if keep.any():
            found.append((chunk, lamps[keep], plan.lamp_states[keep].astype(np.int8)))
    return found


def _tiles(walk: Walk) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The (first chunk, chunks along x and y) of each tile walk_tiles plans, in its order."""
    if walk.whole_region:
        return [(walk.chunks[0], (1, 1))]
    tiles, block_done = [], False
    for chunk in walk.chunks:
        if walk.block is not None and walk.in_block(chunk):
            if not block_done:
                tiles.append(walk.block)
                block_done = True
            continue
        tiles.append((chunk, (1, 1)))
    return tiles


def _closest(camera: F64, lamp: F64) -> float:
    return float(np.linalg.norm(camera - lamp, axis=1).min())


def nearness(distance: F64, reach: float = NEAR_M) -> F64:
    """How loud a lamp `distance` metres away is heard, 1 at the camera to 0 at `reach`."""
    near = np.clip(1.0 - distance / reach, 0.0, 1.0)
    return np.asarray(near * near, np.float64)


def buzz_envelopes(camera: F64, lamps: F64, states: I8, reach: float = NEAR_M) -> tuple[F64, F64, F64]:
    """Per frame of a camera path (n, 3): the loudness of the steady ballast buzz, of the failing
    tubes' buzz (each its nearness times its power on that frame) and of the crackle that starts
    on that frame (each failing tube's nearness times its change of power from the frame before)."""
    frames = len(camera)
    steady, flicker, crackle = np.zeros(frames), np.zeros(frames), np.zeros(frames)
    for lamp, state in zip(lamps, states.tolist(), strict=True):
        near = nearness(np.linalg.norm(camera - lamp, axis=1), reach)
        if not near.any():
            continue
        if FLICKER <= state < SODIUM:
            power = lamp_power(state, frames)
            flicker += near * power
            crackle += near * np.abs(np.diff(power, prepend=power[0]))
        else:
            steady += near
    return steady, flicker, crackle


def buzz_samples(steady: F64, flicker: F64, crackle: F64, fps: int, rate: int = RATE, seed: int = 0) -> F32:
    """The buzz from per-frame envelopes (buzz_envelopes): a 120 Hz ballast buzz and its harmonics,
    with a rasp on the failing tubes' share and a crackle burst where one changes brightness. Each
    frame's loudness holds over its samples, so the buzz stutters frame-exactly with the flicker."""
    total = _sample_count(len(steady), fps, rate)
    out = np.zeros(total, np.float32)
    for start in range(0, total, _BLOCK_S * rate):
        s = np.arange(start, min(start + _BLOCK_S * rate, total), dtype=np.int64)
        frame = np.minimum(s * fps // rate, len(steady) - 1)
        quiet, loud, crack = steady[frame], flicker[frame], crackle[frame]
        if not (quiet.any() or loud.any() or crack.any()):
            continue
        t = s / rate
        cycle = 2 * np.pi * BALLAST_HZ * t
        ballast = np.sin(cycle) + 0.45 * np.sin(2 * cycle + 1) + 0.3 * np.sin(3 * cycle + 2) + 0.15 * np.sin(4 * cycle)
        noise = uniform_noise(seed, _RASP, s)
        rasp = noise * (0.5 + 0.5 * np.sin(cycle)) ** 6  # a rattle at each peak of the ballast's cycle
        since = (s - _frame_start(frame, fps, rate)) / rate
        spark = uniform_noise(seed, _CRACKLE, s) ** 3 * np.exp(-since / CRACKLE_S)
        signal = STEADY_GAIN * quiet * ballast + FLICKER_GAIN * loud * (ballast + 1.2 * rasp)
        signal += CRACKLE_GAIN * crack * spark
        out[start : start + len(s)] = signal
    return out


def uniform_noise(seed: int, stream: int, index: npt.NDArray[np.int64]) -> F64:
    """White noise in [-1, 1), the same for the same seed, stream and sample index."""
    noise: F64 = uniform(seed, stream, index) * 2.0 - 1.0
    return noise


def _sample_count(frames: int, fps: int, rate: int) -> int:
    return math.ceil(frames * rate / fps)


def _frame_start(frame: npt.NDArray[np.int64], fps: int, rate: int) -> npt.NDArray[np.int64]:
    """The first sample of each frame: the first s with s * fps // rate == frame."""
    start: npt.NDArray[np.int64] = -((-frame * rate) // fps)
    return start


def buzz_track(walk: Walk, rate: int = RATE) -> F32:
    """The buzz and crackle of the lamps within NEAR_M of the walking camera, frames / fps long."""
    lamps, states = near_lamps(walk)
    envelopes = buzz_envelopes(walk.route.positions, lamps, states)
    return buzz_samples(*envelopes, walk.route.fps, rate, walk.spec.seed)


def walked(route: Route) -> F64:
    """Per frame, the metres walked (across the ground) since the first frame."""
    moves = np.linalg.norm(np.diff(route.positions[:, :2], axis=0), axis=1)
    distance: F64 = np.concatenate([[0.0], np.cumsum(moves)])
    return distance


def step_times(route: Route) -> tuple[F64, F64]:
    """The seconds at which a foot lands, each time the distance walked passes a multiple of
    STEP_LENGTH (where the bob is lowest), and how hard (1 at the walking pace, softer slower)."""
    distance = walked(route)
    steps = np.arange(1, int(distance[-1] / STEP_LENGTH + 1e-9) + 1) * STEP_LENGTH
    if len(steps) == 0:
        return np.zeros(0), np.zeros(0)
    frame = np.clip(np.searchsorted(distance, steps, side="left") - 1, 0, len(distance) - 2)
    move = distance[frame + 1] - distance[frame]
    fraction = np.clip((steps - distance[frame]) / np.maximum(move, MOVED_M), 0.0, 1.0)
    pace = np.clip(move * route.fps / max(route.speed, 1e-6), 0.4, 1.0)
    return (frame + fraction) / route.fps, pace


def footstep(rate: int, seed: int, index: int, pace: float = 1.0) -> F64:
    """One soft footfall on carpet: a short low thump with a little muffled scuff, varied by step."""
    count = int(STEP_S * rate)
    t = np.arange(count) / rate
    pitch, loud, scuff = np.asarray(_draw(seed, index, 3)).tolist()
    hz = 70.0 * (0.85 + 0.3 * pitch)
    phase = 2 * np.pi * hz * (t - 0.5 * t * t / STEP_S)  # the pitch sags a little as it dies
    thump = np.sin(phase) * (1 - np.exp(-t / 0.002)) * np.exp(-t / 0.035)
    noise = uniform_noise(seed, _STEP_NOISE, np.arange(count, dtype=np.int64) + index * count)
    width = max(1, rate // 1200)  # a moving average: the carpet takes the highs
    muffled = np.convolve(noise, np.ones(width) / width, mode="same") * np.sqrt(width)
    rustle = muffled * (1 - np.exp(-t / 0.001)) * np.exp(-t / 0.018) * (0.15 + 0.2 * scuff)
    side = 1.0 if index % 2 == 0 else 0.88  # the two feet do not land alike
    sound: F64 = (thump + rustle) * (0.8 + 0.4 * loud) * side * pace
    return sound


def _draw(seed: int, index: int, count: int) -> F64:
    drawn: F64 = uniform(seed, _STEP, index, np.arange(count))
    return drawn


def footsteps_track(walk: Walk, rate: int = RATE) -> F32:
    """A footfall each time the walker takes a step (in step with the camera's bob), none while
    standing, frames / fps long."""
    route = walk.route
    total = _sample_count(route.frame_count, route.fps, rate)
    out = np.zeros(total, np.float32)
    times, paces = step_times(route)
    for index, (time, pace) in enumerate(zip(times.tolist(), paces.tolist(), strict=True)):
        first = math.ceil(time * rate)
        sound = STEP_GAIN * footstep(rate, walk.spec.seed, index, pace)[: max(0, total - first)]
        out[first : first + len(sound)] += sound.astype(np.float32)
    return out


def footage_tracks(walk: Walk, rate: int = RATE) -> tuple[F32, F32]:
    """The buzz and the footsteps, each scaled alike so that their sum peaks at PEAK at most."""
    buzz, steps = buzz_track(walk, rate), footsteps_track(walk, rate)
    peak = float(np.abs(buzz + steps).max(initial=0.0))
    scale = np.float32(min(1.0, PEAK / peak) if peak > 0 else 1.0)
    return buzz * scale, steps * scale


def footage_sound(walk: Walk, rate: int = RATE) -> F32:
    """The footage's own sound, mono: the buzz and crackle of the lamps near the camera and the
    footsteps, mixed and scaled down where needed so that it never clips (peak at most PEAK)."""
    buzz, steps = footage_tracks(walk, rate)
    mixed: F32 = buzz + steps
    return mixed
