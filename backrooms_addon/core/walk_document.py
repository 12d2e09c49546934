"""The walk document (docs/walk-format.md): a walk's settings, its camera per frame, its chunks and their layout."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .layout import Layout, covering_chunks
from .plan import LevelPlan
from .stream import Walk, walk_tiles
from .version import GENERATOR_VERSION, LAYOUT_FORMAT_VERSION

WALK_FORMAT_VERSION = 1


def walk_document(walk: Walk) -> dict[str, Any]:
    """The walk as JSON-ready data: frames count from 1, as in Blender."""
    route = walk.route
    rotations = np.column_stack([math.pi / 2 + route.pitch, np.zeros(route.frame_count), route.yaw - math.pi / 2])
    frames = [
        {"frame": k + 1, "location": np.round(place, 4).tolist(), "rotation_euler": np.round(turn, 5).tolist()}
        for k, (place, turn) in enumerate(zip(route.positions, rotations, strict=True))
    ]
    return {
        "format": "backrooms-walk",
        "format_version": WALK_FORMAT_VERSION,
        "generator_version": GENERATOR_VERSION,
        "spec": walk.spec.to_dict(),
        "fps": route.fps,
        "speed": route.speed,
        "length_m": walk.settings["length"],
        "shake": walk.settings["shake"],
        "heading": walk.settings["heading"],
        "view_radius_m": walk.settings["view_radius"],
        "descend": walk.settings["descend"],
        "frame_count": route.frame_count,
        "frames": frames,
        "chunks": _chunks(walk),
        "layout": walk_layout(walk),
    }


def _chunks(walk: Walk) -> list[list[int]]:
    """The world chunks built: a region built whole has those covering it."""
    if not walk.whole_region:
        return [list(chunk) for chunk in walk.chunks]
    (cx, cy), (nx, ny) = covering_chunks(walk.spec)
    return [[cx + i, cy + j] for j in range(ny) for i in range(nx)]


def walk_layout(walk: Walk) -> dict[str, Any]:
    """A layout document of the smallest region of whole chunks holding every chunk built, in the
    walk's frame: the chunks not built are solid cells without walls, fixtures or faces. A region
    built whole is its own layout document."""
    if walk.whole_region:
        return dict(walk_tiles(walk))[walk.chunks[0]].to_json()
    spec, size = walk.spec, walk.spec.chunk_size
    xs, ys = [cx for cx, _ in walk.chunks], [cy for _, cy in walk.chunks]
    columns, rows = (max(xs) - min(xs) + 1), (max(ys) - min(ys) + 1)
    region = spec.replace(origin=walk.frame_origin, width=columns * size, depth=rows * size)
    plans = dict(walk_tiles(walk))
    layout = _stitched(region, plans, walk.frame_origin)
    fixtures, states, lamps, faces = [], [], [], 0
    for chunk, plan in plans.items():
        dx, dy = walk.chunk_offset(chunk)
        shift = np.array([dx, dy, 0.0])
        fixtures.append(plan.fixtures + shift)
        states += plan.to_json()["fixture_states"]
        lit = [bool(spans) for spans in walk.lamp_spans(chunk, plan.lamps)]  # the lamps the walk builds
        lamps.append(plan.lamps[lit] + shift)
        faces += plan.face_count()
    start = walk.route.positions[0]
    return {
        "format": "backrooms-layout",
        "format_version": LAYOUT_FORMAT_VERSION,
        "generator_version": GENERATOR_VERSION,
        "seed": spec.seed,
        "spec": region.to_dict(),
        "cell_size": spec.cell_size,
        "origin": list(region.origin),
        "width": region.width,
        "depth": region.depth,
        "chunk_size": size,
        "layout_sha256": layout.digest(),
        "cells": layout.cells().tolist(),
        "spawn": {"position": start.round(4).tolist(), "yaw": float(walk.route.yaw[0]), "sightline_m": 0.0},
        "fixtures": np.round(np.concatenate(fixtures), 4).tolist(),
        "fixture_states": states,
        "lamps": np.round(np.concatenate(lamps), 4).tolist(),
        "face_count": faces,
        "floors": _floors(region, plans, walk),
        "features": next(iter(plans.values())).to_json()["features"],
    }


def _stitched(region: Any, plans: dict[tuple[int, int], LevelPlan], origin: tuple[int, int]) -> Layout:
    """The ground floor's layout over the region, each built chunk's cells in their place."""
    walls_h = np.zeros((region.depth + 1, region.width), np.bool_)
    walls_v = np.zeros((region.depth, region.width + 1), np.bool_)
    solid = np.ones((region.depth, region.width), np.bool_)
    for plan in plans.values():  # a chunk, or the block round a descent shaft
        (i, j), built = np.subtract(plan.spec.origin, origin), plan.floors[0].layout
        width, depth = plan.spec.width, plan.spec.depth
        walls_h[j : j + depth + 1, i : i + width] |= built.walls_h
        walls_v[j : j + depth, i : i + width + 1] |= built.walls_v
        solid[j : j + depth, i : i + width] = built.solid
    return Layout(walls_h, walls_v, solid, origin)


def _floors(region: Any, plans: dict[tuple[int, int], LevelPlan], walk: Walk) -> list[dict[str, Any]]:
    """Per floor: its seed, height, style, cell size and its holes as [i, j] cells of that floor's
    own grid, counted from the block's south-west corner (a floor of another cell size has other
    cells than the ground floor's)."""
    floors = []
    for number, first in enumerate(next(iter(plans.values())).floors):
        parts = [plan.floors[number] for plan in plans.values()]
        low = np.min([part.spec.origin for part in parts], axis=0)
        high = np.max([np.add(part.spec.origin, (part.spec.width, part.spec.depth)) for part in parts], axis=0)
        holes = {kind: np.zeros((high[1] - low[1], high[0] - low[0]), np.bool_) for kind in ("floor", "ceiling")}
        for part in parts:
            i, j = np.subtract(part.spec.origin, low)
            holes["floor"][j : j + part.spec.depth, i : i + part.spec.width] |= part.floor_holes
            holes["ceiling"][j : j + part.spec.depth, i : i + part.spec.width] |= part.ceiling_holes
        floors.append(
            {
                "seed": first.spec.seed,
                "z": first.base_z,
                "style": first.spec.style,
                "cell_size": first.spec.cell_size,
                "origin": low.tolist(),
                "floor_holes": np.argwhere(holes["floor"])[:, ::-1].tolist(),
                "ceiling_holes": np.argwhere(holes["ceiling"])[:, ::-1].tolist(),
                "joins": [],
            }
        )
    del region, walk
    return floors
