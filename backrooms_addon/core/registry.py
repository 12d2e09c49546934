"""The feature registry: every level feature by its key, and the features a level and each floor have."""

from __future__ import annotations

from .arches import ARCHES
from .clutter import CLUTTER
from .courtyard import COURT
from .features import Feature
from .floors import FLOORS, floor_spec
from .pools import POOLS
from .shaft import SHAFT
from .spec import LevelSpec
from .styles import style_of

# In planning order: every style's list keeps this order, so floors of several styles agree on it.
FEATURES: dict[str, Feature] = {feature.key: feature for feature in (POOLS, ARCHES, COURT, FLOORS, CLUTTER, SHAFT)}
# Features of the level as a whole, whatever its styles: planned after the styles' own.
LEVEL_WIDE = ("shaft",)


def style_features(style: str) -> tuple[Feature, ...]:
    """The features a style lists, in its order (the order they are planned in)."""
    return tuple(FEATURES[key] for key in style_of(style).features)


def floor_features(spec: LevelSpec, floor: int) -> tuple[Feature, ...]:
    """The features of one floor: those its style lists that its spec asks for, and the level's own."""
    own = floor_spec(spec, floor)
    styled = tuple(feature for feature in style_features(own.style) if feature.wanted(own))
    return styled + tuple(FEATURES[key] for key in LEVEL_WIDE if FEATURES[key].wanted(spec))


def level_features(spec: LevelSpec) -> tuple[Feature, ...]:
    """The features of the spec's style that the spec asks for, and those of its floors' styles
    (floor_styles), in planning order."""
    if not spec.floor_styles:
        styled = tuple(feature for feature in style_features(spec.style) if feature.wanted(spec))
        return styled + tuple(FEATURES[key] for key in LEVEL_WIDE if FEATURES[key].wanted(spec))
    found = {feature.key for floor in range(spec.floors) for feature in floor_features(spec, floor)}
    return tuple(feature for key, feature in FEATURES.items() if key in found)
