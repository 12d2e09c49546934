"""What a level will cost before it is built: faces, troffers, lamps and memory, estimated in microseconds."""

from __future__ import annotations

from dataclasses import dataclass

from .spec import LevelSpec
from .styles import style_of

# Wall faces per cell at density 0 and what a density of 1 adds, measured over many seeds of the
# default algorithm (tests keep the estimate within a factor of 1.5 of the real count).
WALL_FACES_PER_CELL = (0.56, 0.95)
FACES_PER_TROFFER = 5
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
    spacing = style_of(spec.level).fixture_spacing
    along_x = -(-(ox + spec.width) // spacing) - -(-ox // spacing)
    along_y = -(-(oy + spec.depth) // spacing) - -(-oy // spacing)
    troffers = round(along_x * along_y * spec.fixture_density)
    lit = round(troffers * (1 - spec.dead_fraction))
    faces = round(cells * (base + per_density * spec.density)) + FACES_PER_TROFFER * troffers
    return Cost(faces, troffers, min(spec.light_budget, lit), spec.memory_estimate_bytes)
