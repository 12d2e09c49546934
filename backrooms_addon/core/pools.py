"""Pools of the Poolrooms (Level 37): where they are carved, their basins, steps and water."""

from __future__ import annotations

from .features import Features
from .geometry import Pieces
from .layout import Layout
from .spec import LevelSpec


def pool_features(spec: LevelSpec, layout: Layout, pieces: Pieces) -> Features:
    """Holes in the floor where the pools are, and the meshes of their basins and water."""
    raise NotImplementedError("pools are being built")
