"""Level kits register their style, presets and features once, and nothing half-registered."""

from __future__ import annotations

import pytest

from backrooms_addon.core.features import Feature
from backrooms_addon.core.kit import Kit, register
from backrooms_addon.core.kits import KITS
from backrooms_addon.core.levels import LEVEL_PRESETS, LevelPreset
from backrooms_addon.core.registry import FEATURES, style_features
from backrooms_addon.core.styles import STYLES, Style


class _Marker(Feature):
    key = "test_marker"


def test_a_kit_adds_its_style_presets_and_features() -> None:
    saved = (dict(STYLES), dict(LEVEL_PRESETS), dict(FEATURES))
    try:
        kit = Kit(
            Style("TEST_KIT", "A test level", features=("test_marker",)),
            (LevelPreset("TEST_KIT", "A test level", "made by a test", {"style": "TEST_KIT"}),),
            (_Marker(),),
        )
        register(kit)
        assert STYLES["TEST_KIT"] is kit.style and LEVEL_PRESETS["TEST_KIT"] is kit.presets[0]
        assert [f.key for f in style_features("TEST_KIT")] == ["test_marker"]
        assert list(FEATURES)[-1] == "test_marker", "planned after the built-in features"
        with pytest.raises(ValueError, match="TEST_KIT"):
            register(kit)
    finally:
        for registry, before in zip((STYLES, LEVEL_PRESETS, FEATURES), saved, strict=True):
            registry.clear()
            registry.update(before)


def test_a_kit_listing_an_unknown_feature_registers_nothing() -> None:
    before = (dict(STYLES), dict(LEVEL_PRESETS))
    kit = Kit(Style("TEST_BAD", "Bad", features=("no_such_feature",)), (LevelPreset("TEST_BAD", "Bad", "bad"),))
    with pytest.raises(ValueError, match="no_such_feature"):
        register(kit)
    assert (dict(STYLES), dict(LEVEL_PRESETS)) == before


def test_every_kit_is_registered() -> None:
    for kit in KITS:
        assert STYLES[kit.style.key] is kit.style
        assert all(LEVEL_PRESETS[preset.key] is preset for preset in kit.presets)
