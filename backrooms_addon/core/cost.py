"""What a level will cost before it is built: faces, troffers, lamps and memory, estimated in microseconds.

The rooms' share is worked out here; each of the level's features adds its own (core/features.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from .registry import level_features
from .spec import LevelSpec
from .styles import style_of

# Wall faces per cell at density 0 and what a density of 1 adds, measured over many seeds of the
# default algorithm (tests keep the estimate within a factor of 1.5 of the real count).
WALL_FACES_PER_CELL = (0.56, 0.95)
FACES_PER_TROFFER = 5
BANDLESS_SHARE = 0.55
SMALL_ROOM_SHARE = 0.7
_DEFAULT_ROOM_MAX = LevelSpec().room_max
SLOW_FACES = 2_000_000
SLOW_BYTES = 2 << 30


@dataclass(frozen=True)
class Cost:
    """Estimated size of a level."""

    faces: int
    troffers: int
    lamps: int
    memory_bytes: int

    @property
    def slow(self) -> bool:
        """Big enough that building and rendering it will take a while."""
        return self.faces > SLOW_FACES or self.memory_bytes > SLOW_BYTES

    def summary(self) -> str:
        return (
            f"about {self.faces:,} faces, {self.troffers:,} troffers, {self.lamps} lamps, "
            f"{self.memory_bytes / 2**20:,.0f} MiB"
        )


def estimate_cost(spec: LevelSpec) -> Cost:
    cells = spec.width * spec.depth
    base, per_density = WALL_FACES_PER_CELL
    ox, oy = spec.origin
    # Grid positions: world cells whose coordinates are both multiples of the style's spacing.
    style = style_of(spec.style)
    spacing = style.fixture_spacing
    along_x = -(-(ox + spec.width) // spacing) - -(-ox // spacing)
    along_y = -(-(oy + spec.depth) // spacing) - -(-oy // spacing)
    troffers = round(along_x * along_y * spec.fixture_density) * spec.floors if style.ceiling else 0
    lit = round(troffers * (1 - spec.dead_fraction))
    # Without a baseboard band every wall run is one face instead of two.
    bands = 1.0 if spec.baseboard_height > 0 else BANDLESS_SHARE
    # Rooms smaller than the default's make more walls per cell.
    small_rooms = 1.0 + SMALL_ROOM_SHARE * max(0, _DEFAULT_ROOM_MAX - spec.room_max) / _DEFAULT_ROOM_MAX
    faces = cells * (base + per_density * spec.density) * spec.floors * bands * small_rooms
    for feature in level_features(spec):
        faces += feature.faces(spec)
    faces = round(faces) + FACES_PER_TROFFER * troffers
    return Cost(faces, troffers, min(spec.light_budget, lit), spec.memory_estimate_bytes)
