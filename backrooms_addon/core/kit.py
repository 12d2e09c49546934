"""Level kits: a level beyond the built-in ones as one module that brings its style, its presets
and its features, registered with the style, preset and feature registries in one call.

A kit lives in core/kits/ (pure, numpy only); its material recipes in materials/levels/*.json and
its textures' makers in materials/levels/*_textures.py, both found by their folder. Nothing else
needs to know the level: the panel, the operators, the API, the CLI and `info` list every preset,
planning asks the registry for a style's features, and the realize layer reads the style.
"""

from __future__ import annotations

from dataclasses import dataclass

from .features import Feature
from .levels import LEVEL_PRESETS, LevelPreset
from .registry import FEATURES
from .styles import STYLES, Style


@dataclass(frozen=True)
class Kit:
    """One level: its style, the presets that use it (the first is the level itself) and the
    features its style lists that no other level has."""

    style: Style
    presets: tuple[LevelPreset, ...]
    features: tuple[Feature, ...] = ()


def register(kit: Kit) -> None:
    """Add the kit's style, presets and features to the registries; a key already taken is an error."""
    taken = (
        [kit.style.key] * (kit.style.key in STYLES)
        + [p.key for p in kit.presets if p.key in LEVEL_PRESETS]
        + [f.key for f in kit.features if f.key in FEATURES]
    )
    if taken:
        raise ValueError(f"level kit {kit.style.key}: {', '.join(taken)} already registered")
    unknown = [key for key in kit.style.features if key not in FEATURES and key not in {f.key for f in kit.features}]
    if unknown:
        raise ValueError(f"level kit {kit.style.key}: its style lists unknown features {unknown}")
    STYLES[kit.style.key] = kit.style
    LEVEL_PRESETS.update({preset.key: preset for preset in kit.presets})
    # After the built-in features in planning order: a kit's features see what those took.
    FEATURES.update({feature.key: feature for feature in kit.features})
