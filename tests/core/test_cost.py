"""The cost readout: estimates close to what the plan really holds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.cost import estimate_cost
from backrooms_addon.core.levels import LEVEL_PRESETS, preset_spec


@settings(max_examples=25)
@given(
    seed=st.integers(0, 1 << 32),
    width=st.integers(40, 120),
    depth=st.integers(40, 120),
    density=st.floats(0.0, 1.0),
    fixture_density=st.floats(0.3, 1.0),
)
def test_estimates_are_within_half_of_the_real_counts(
    seed: int, width: int, depth: int, density: float, fixture_density: float
) -> None:
    spec = LevelSpec(seed=seed, width=width, depth=depth, density=density, fixture_density=fixture_density)
    plan = plan_level(spec)
    cost = estimate_cost(spec)
    assert cost.faces == pytest.approx(plan.face_count(), rel=0.5)
    assert cost.troffers == pytest.approx(len(plan.fixtures), rel=0.35)  # pillars and chance move it
    assert cost.lamps == len(plan.lamps)


def test_big_levels_are_flagged_slow() -> None:
    assert not estimate_cost(LevelSpec(width=250, depth=250)).slow
    slow = estimate_cost(LevelSpec(width=2000, depth=2000))
    assert slow.slow and "faces" in slow.summary() and "MiB" in slow.summary()


@pytest.mark.parametrize("key", list(LEVEL_PRESETS))
@pytest.mark.parametrize("size", [(12, 12), (32, 32), (64, 48)])
def test_every_preset_is_estimated_within_half(key: str, size: tuple[int, int]) -> None:
    spec = preset_spec(key, seed=3, width=size[0], depth=size[1], floors=2)
    estimate, real = estimate_cost(spec).faces, plan_level(spec).face_count()
    assert real / 1.5 <= estimate <= real * 1.5, (estimate, real)
