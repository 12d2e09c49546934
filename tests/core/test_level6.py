"""Level 6, Lights Out: the Lobby's rooms with every fixture dead, no lamp, no hum, a black world, a flashlight."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from level_checks import plan_hash

from backrooms_addon.core.cost import estimate_cost
from backrooms_addon.core.fixtures import DEAD
from backrooms_addon.core.levels import LEVEL_PRESETS, preset_spec
from backrooms_addon.core.plan import LevelPlan, plan_level
from backrooms_addon.core.styles import style_of

# The plan of a small Level 6 (seed 3, 16 x 12 cells): the same on every numpy Blender ships.
GOLDEN_PLAN = "f32f1b596bdd51b12937add56b91ccf550ae611b91bff66e0a1750d719eadc57"


def _digest(plan: LevelPlan) -> str:
    return str(plan_hash(plan, sorted(plan.meshes)).hexdigest())


def test_the_level_is_a_preset_with_its_own_style() -> None:
    assert "LEVEL_6" in LEVEL_PRESETS and preset_spec("LEVEL_6").style == "LEVEL_6"
    style = style_of("LEVEL_6")
    assert style.flashlight, "the camera carries a flashlight"
    assert style.world_rgb == (0.0, 0.0, 0.0) and style.world_strength == 0.0 and style.eevee_ambient_rgb is None
    assert not any(style_of(key).flashlight for key in ("LEVEL_0", "LEVEL_1", "LEVEL_37", "LEVEL_188"))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31), origin=st.tuples(st.integers(-500, 500), st.integers(-500, 500)))
def test_every_fixture_is_dead_and_nothing_shines(seed: int, origin: tuple[int, int]) -> None:
    spec = preset_spec("LEVEL_6", seed=seed, width=24, depth=20, origin=origin)
    assert not spec.hum
    plan = plan_level(spec)
    assert len(plan.lamps) == 0, "no real light"
    fixtures = plan.meshes.copies
    assert fixtures is not None
    states = fixtures.instances().states
    assert len(states) and (states == DEAD).all(), "every fixture hangs dead"
    assert estimate_cost(spec).lamps == 0


def test_the_plan_matches_the_golden_hash() -> None:
    plan = plan_level(preset_spec("LEVEL_6", seed=3, width=16, depth=12))
    assert _digest(plan) == _digest(plan_level(preset_spec("LEVEL_6", seed=3, width=16, depth=12)))
    assert _digest(plan) == GOLDEN_PLAN
    assert np.isfinite(plan.meshes["walls"].vertices).all()
