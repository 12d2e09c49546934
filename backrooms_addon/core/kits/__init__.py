"""The levels that come as kits (core/kit.py), registered when the core is imported."""

from __future__ import annotations

from ..kit import Kit, register
from .level6 import KIT as LEVEL_6

KITS: tuple[Kit, ...] = (LEVEL_6,)

for _kit in KITS:
    register(_kit)
