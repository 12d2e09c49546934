"""The level feature protocol: what a feature (pools, arches, a court, pitfalls, ...) adds to a level.

A style lists its features by key (core/styles.py); core/registry.py resolves the keys. Planning,
collision, the cost estimate and the layout document loop over them and never ask which style a
level has. A feature sees each floor through a Story: the floor's spec, its window onto the world
(core/world.py) and its layouts; it answers with Features for each floor: the cells it takes, the
holes it cuts in floor and ceiling, and its meshes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .algorithms.grid import BoolArray
from .geometry import MeshArrays
from .layout import Layout
from .spec import LevelSpec
from .world import Window

EYE_HEIGHT = 1.6  # metres


@dataclass(frozen=True)
class Spawn:
    """A place to stand: position in metres and the heading (radians, 0 = +x) of the longest view."""

    position: tuple[float, float, float]
    yaw: float
    sightline_m: float


@dataclass(frozen=True)
class Source:
    """Where a placed model comes from: a model by name (in the core and in a template .blend),
    shrunk along x and y by `scale` and turned `turns` quarter turns about z."""

    name: str
    scale: float
    turns: int


@dataclass(frozen=True)
class Placed:
    """Copies of a few models (furniture) placed on a floor: instanced in Blender, copied into one
    mesh where the faces themselves are needed (core/plan.py PlacedCopies)."""

    positions: npt.NDArray[np.float64]  # (k, 3) each copy's origin, in the floor's frame
    models: npt.NDArray[np.int32]  # (k,) which model each copy is
    meshes: tuple[MeshArrays, ...]  # the models, at the origin, with Level 0's material names
    labels: tuple[str, ...]  # a name for each model
    sources: tuple[Source, ...] = ()  # where each model comes from, when it is one of a template's


@dataclass(frozen=True)
class Features:
    """What features add to one floor: cells without floor or ceiling (pools, pitfalls,
    stairwells), cells something stands on (stairs, crates), and the meshes that go with them."""

    floor_holes: BoolArray | None = None
    ceiling_holes: BoolArray | None = None
    meshes: dict[str, MeshArrays] = field(default_factory=dict)
    occupied: BoolArray | None = None
    marks: dict[str, BoolArray] = field(default_factory=dict)  # named cells for later readers (the shaft's)
    placed: dict[str, Placed] = field(default_factory=dict)  # instanced kinds of mesh, by kind

    @property
    def taken(self) -> BoolArray | None:
        """The cells later features must leave alone: holes in the floor and what stands there."""
        return _either(self.floor_holes, self.occupied)

    def plus(self, other: Features) -> Features:
        overlap = (set(self.meshes) & set(other.meshes)) | (set(self.marks) & set(other.marks))
        overlap |= set(self.placed) & set(other.placed)
        assert not overlap, f"two features make the same meshes or marks: {sorted(overlap)}"
        return Features(
            _either(self.floor_holes, other.floor_holes),
            _either(self.ceiling_holes, other.ceiling_holes),
            {**self.meshes, **other.meshes},
            _either(self.occupied, other.occupied),
            {**self.marks, **other.marks},
            {**self.placed, **other.placed},
        )


@dataclass(frozen=True)
class Story:
    """One floor as the features see it."""

    spec: LevelSpec  # the floor's own spec (core/floors.py gives each floor its seed)
    window: Window  # its window onto the world
    layout: Layout  # the region's layout as the style shapes it
    built: Layout  # the layout the walls are built from (with the perimeter, when the level has one)
    ground: Layout  # the window's layout as the features shape it, `layout` cut from it (window cells)
    stair_ground: BoolArray | None = None  # window cells where a stair run had better start (None: anywhere)


class Feature:
    """One kind of thing a level style adds. Subclasses override the hooks they need."""

    key: str = ""
    solid: tuple[str, ...] = ()  # its meshes a player stands on or bumps into (the game's collision)

    def wanted(self, spec: LevelSpec) -> bool:
        """Whether a level of this spec has the feature (a pool density of 0 has no pools)."""
        return True

    def shape(self, spec: LevelSpec, layout: Layout) -> Layout:
        """The window's layout as the feature wants it, before anything is built on it: from world
        coordinates alone, so that the region's cut of it is the same whatever the window."""
        return layout

    def blocks(self, spec: LevelSpec) -> BoolArray | None:
        """The region's cells the feature may fill with something a player cannot pass (True),
        from world coordinates alone: a closed region's joins go round them (core/joins.py)."""
        return None

    def stair_ground(self, spec: LevelSpec, layout: Layout) -> BoolArray | None:
        """The cells of the window's `layout` where a stair run had better start, where one fits
        there, from world coordinates alone; None: the feature has no say."""
        return None

    def stack(self, level: LevelSpec, floor: int, layout: Layout) -> Layout:
        """The window's layout of one floor of `level` as the feature wants it given the floors
        above and below (after every feature's shape), from world coordinates alone."""
        return layout

    def plan(self, spec: LevelSpec, stories: Sequence[Story], so_far: Sequence[Features]) -> list[Features]:
        """Per floor, what the feature adds, given what the features before it added (`so_far`).
        By default each floor on its own (see on_story); features that join floors override it."""
        return [self.on_story(story, earlier) for story, earlier in zip(stories, so_far, strict=True)]

    def on_story(self, story: Story, so_far: Features) -> Features:
        """What the feature adds to one floor."""
        return Features()

    def spawn(self, spec: LevelSpec) -> Spawn | None:
        """Where the camera starts, when the feature decides it (otherwise the longest view)."""
        return None

    def faces(self, spec: LevelSpec) -> float:
        """Its share of the cost estimate: about how many faces it adds (core/cost.py)."""
        return 0.0


def _either(a: BoolArray | None, b: BoolArray | None) -> BoolArray | None:
    if a is None or b is None:
        return a if b is None else b
    joined: BoolArray = np.logical_or(a, b)
    return joined
