"""Ceiling fixtures: where troffers hang, which are dead or flickering, and how the flicker goes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .rng import hash64, uniform
from .spec import LevelSpec
from .styles import Style

FLICKER_PHASES = 4  # flickering troffers follow one of this many patterns
FLICKER_FRAMES = 250  # the flicker is animated over the scene's default frame range
STEADY, DEAD, FLICKER = 0, 1, 2  # state codes; flickering ones are FLICKER + phase
SODIUM = FLICKER + FLICKER_PHASES  # a steady fixture with a sodium-orange tube
_PLACE_STREAM = 0x4649585F  # "FIX_"
_STATE_STREAM = 0x53544154  # "STAT"
_FLICKER_STREAM = 0x464C4943  # "FLIC"

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Fixtures:
    """Troffer centres (metres, level frame) and their states."""

    centres: F64  # (k, 3): where each troffer meets the ceiling
    states: npt.NDArray[np.int8]  # (k,): STEADY, DEAD, or FLICKER + phase


def place_fixtures(spec: LevelSpec, solid: npt.NDArray[np.bool_], style: Style) -> Fixtures:
    """Troffers on a regular ceiling grid in world cells; fixture_density of the grid positions hold
    one (never over a pillar); a dead_fraction of them are dead and a flicker_fraction flicker."""
    ox, oy = spec.origin
    spacing = style.fixture_spacing  # on the world's grid, so neighbouring regions agree
    # The region's cells on that grid, row by row: a column every `spacing` cells from the first
    # whose world x is a multiple of it, and so for the rows.
    columns = np.arange((-ox) % spacing, spec.width, spacing, dtype=np.int64)
    rows = np.arange((-oy) % spacing, spec.depth, spacing, dtype=np.int64)
    ys, xs = rows.repeat(len(columns)), np.tile(columns, len(rows))
    world_x, world_y = xs + ox, ys + oy
    # Hashed as a row of x by a column of y: each x is mixed once, not once per row.
    draw = uniform(spec.seed, _PLACE_STREAM, (columns + ox)[None, :], (rows + oy)[:, None]).ravel()
    keep = (draw < spec.fixture_density) & ~solid[ys, xs]
    # Troffers hang from the ceiling plane (see core/troffer.py).
    z = spec.wall_height
    centres = np.stack(
        [(xs[keep] + 0.5) * spec.cell_size, (ys[keep] + 0.5) * spec.cell_size, np.full(keep.sum(), z)], -1
    ).astype(np.float64)
    draw = uniform(spec.seed, _STATE_STREAM, world_x[keep], world_y[keep])
    phase = (hash64(spec.seed, _STATE_STREAM + 1, world_x[keep], world_y[keep]) % np.uint64(FLICKER_PHASES)).astype(
        np.int8
    )
    states = np.where(
        draw < spec.dead_fraction,
        DEAD,
        np.where(draw < spec.dead_fraction + spec.flicker_fraction, FLICKER + phase, STEADY),
    ).astype(np.int8)
    if style.sodium_fraction > 0:
        tube = uniform(spec.seed, _STATE_STREAM + 2, world_x[keep], world_y[keep])
        states = np.where((states == STEADY) & (tube < style.sodium_fraction), SODIUM, states).astype(np.int8)
    return Fixtures(centres, states)


def flicker_curve(seed: int, phase: int, frames: int = FLICKER_FRAMES) -> F64:
    """Brightness per frame (1 is full) of a failing tube: long steady stretches broken by bursts
    of stutter, dimming and blackout, each burst a few frames long."""
    frame = np.arange(frames, dtype=np.int64)
    burst = frame // 6  # frames come in runs of six; some runs are unstable
    unstable = uniform(seed, _FLICKER_STREAM, phase, burst) < 0.3
    level = uniform(seed, _FLICKER_STREAM + 1, phase, frame)
    value = np.select([level < 0.35, level < 0.6], [0.04, 0.35], 1.0)
    curve: F64 = np.where(unstable, value, 1.0)
    return curve
