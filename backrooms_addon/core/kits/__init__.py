"""The levels that come as kits (core/kit.py), registered when the core is imported."""

from __future__ import annotations

from ..kit import Kit, register
from .level2 import KIT as LEVEL_2
from .level4 import KIT as LEVEL_4
from .level6 import KIT as LEVEL_6
from .level_run import KIT as LEVEL_RUN

KITS: tuple[Kit, ...] = (LEVEL_2, LEVEL_4, LEVEL_6, LEVEL_RUN)

for _kit in KITS:
    register(_kit)
