"""Built-in level presets: valid specs, only their own values changed, and looks that differ."""

from __future__ import annotations

import numpy as np
import pytest

from backrooms_addon.core import LevelSpec
from backrooms_addon.core.errors import InvalidSpecError
from backrooms_addon.core.layout import build_layout
from backrooms_addon.core.levels import DEFAULT_PRESET, LEVEL_PRESETS, preset_spec


def test_the_default_preset_is_the_default_spec() -> None:
    assert preset_spec(DEFAULT_PRESET) == LevelSpec()


@pytest.mark.parametrize("key", list(LEVEL_PRESETS))
def test_each_preset_changes_only_its_own_values(key: str) -> None:
    spec, defaults = preset_spec(key).to_dict(), LevelSpec().to_dict()
    changed = {name for name in spec if spec[name] != defaults[name]}
    assert changed == set(LEVEL_PRESETS[key].values)
    assert LEVEL_PRESETS[key].label and LEVEL_PRESETS[key].description


def test_overrides_win_over_the_preset() -> None:
    spec = preset_spec("LEVEL_0_MAZE", seed=9, density=0.3)
    assert (spec.seed, spec.density, spec.room_max) == (9, 0.3, LEVEL_PRESETS["LEVEL_0_MAZE"].values["room_max"])


def test_unknown_preset_is_refused_by_name() -> None:
    with pytest.raises(InvalidSpecError, match=r"^preset: must be one of LEVEL_0, "):
        preset_spec("LEVEL_9999")


def test_bad_override_is_refused_by_field() -> None:
    with pytest.raises(InvalidSpecError, match=r"^density: "):
        preset_spec("LEVEL_0_HALLS", density=2.0)


def _wall_share(spec: LevelSpec) -> float:
    layout = build_layout(spec)
    return layout.wall_count() / (layout.walls_h.size + layout.walls_v.size)


def test_maze_is_more_segmented_than_the_lobby_and_halls_less() -> None:
    seeds = range(4)
    walls = {
        key: np.mean([_wall_share(preset_spec(key, seed=s, width=64, depth=64)) for s in seeds])
        for key in ("LEVEL_0_MAZE", "LEVEL_0", "LEVEL_0_HALLS")
    }
    assert walls["LEVEL_0_MAZE"] > walls["LEVEL_0"] > walls["LEVEL_0_HALLS"]
