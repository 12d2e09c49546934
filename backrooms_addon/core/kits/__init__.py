"""The levels that come as kits (core/kit.py), registered when the core is imported."""

from __future__ import annotations

from ..kit import Kit, register
from .level4 import KIT as LEVEL_4

KITS: tuple[Kit, ...] = (LEVEL_4,)

for _kit in KITS:
    register(_kit)
