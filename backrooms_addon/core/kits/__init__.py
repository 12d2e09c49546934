"""The levels that come as kits (core/kit.py), registered when the core is imported."""

from __future__ import annotations

from ..kit import Kit, register
from . import level2

KITS: tuple[Kit, ...] = (level2.KIT,)

for _kit in KITS:
    register(_kit)
