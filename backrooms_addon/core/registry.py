"""The feature registry: every level feature by its key, and the features a level has."""

from __future__ import annotations

from .arches import ARCHES
from .clutter import CLUTTER
from .courtyard import COURT
from .features import Feature
from .floors import FLOORS
from .pools import POOLS
from .spec import LevelSpec
from .styles import style_of

FEATURES: dict[str, Feature] = {feature.key: feature for feature in (POOLS, ARCHES, COURT, FLOORS, CLUTTER)}


def style_features(style: str) -> tuple[Feature, ...]:
    """The features a style lists, in its order (the order they are planned in)."""
    return tuple(FEATURES[key] for key in style_of(style).features)


def level_features(spec: LevelSpec) -> tuple[Feature, ...]:
    """The features of the spec's style that the spec asks for."""
    return tuple(feature for feature in style_features(spec.style) if feature.wanted(spec))
