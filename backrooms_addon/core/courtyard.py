"""The Courtyard of Windows (Level 188): one open court, walls full of windows onto small lit rooms."""

from __future__ import annotations

from .features import Features
from .geometry import Pieces
from .layout import Layout
from .spec import LevelSpec


def courtyard_layout(spec: LevelSpec, layout: Layout) -> Layout:
    """The court: the region open from wall to wall."""
    raise NotImplementedError("the courtyard is being built")


def courtyard_features(spec: LevelSpec, layout: Layout, pieces: Pieces) -> Features:
    """The windows in the enclosing walls and the rooms behind them."""
    raise NotImplementedError("the courtyard is being built")
