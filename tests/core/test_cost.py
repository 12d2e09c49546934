"""The cost readout and the run estimate: faces close to what the plan really holds, memory and time per format."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrooms_addon.core import InvalidSpecError, LevelSpec, plan_level
from backrooms_addon.core.cost import STEPS, check_run, estimate_batch, estimate_cost, estimate_run
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


def test_a_game_export_costs_more_than_the_level_and_grows_faster_than_it() -> None:
    spec = LevelSpec(width=250, depth=250)
    json_only, blend, glb = (estimate_run(spec, [fmt]) for fmt in ("json", "blend", "glb"))
    assert json_only.peak_memory_bytes < blend.peak_memory_bytes < glb.peak_memory_bytes
    assert json_only.seconds < blend.seconds < glb.seconds
    export = STEPS["glb"]
    assert export.seconds_for(16 * glb.faces) > 16 * export.seconds_for(glb.faces)


def test_the_render_costs_with_its_resolution_and_samples() -> None:
    spec = LevelSpec(width=32, depth=32)
    preview = estimate_run(spec, ["png"], (800, 450), 16)
    final = estimate_run(spec, ["png"], (1920, 1080), 256)
    assert final.peak_memory_bytes > preview.peak_memory_bytes
    assert final.seconds > 10 * preview.seconds and final.over_a_minute
    assert "h to build and write png" in final.warning() or "min to build and write png" in final.warning()


def test_a_big_game_export_takes_over_a_minute_and_a_small_one_does_not() -> None:
    assert estimate_run(LevelSpec(width=1300, depth=1300), ["glb"]).over_a_minute
    assert not estimate_run(LevelSpec(width=250, depth=250), ["blend", "glb", "json"]).over_a_minute
    assert not estimate_cost(LevelSpec(width=250, depth=250)).over_a_minute


def test_a_run_over_the_memory_limit_is_refused_naming_the_width() -> None:
    spec = LevelSpec(width=2400, depth=2400)  # the level alone passes the spec's own check
    check_run(spec, estimate_run(spec, ["json"]))
    cost = estimate_run(spec, ["glb"])
    with pytest.raises(InvalidSpecError) as refused:
        check_run(spec, cost)
    assert refused.value.field == "width"
    assert f"{cost.peak_memory_bytes / (1 << 30):.1f} GiB" in str(refused.value)


def test_a_batch_adds_its_levels_and_starts_each_worker_once() -> None:
    spec = LevelSpec(width=64, depth=64)
    one = estimate_batch(spec, ["glb", "json"], levels=1)
    hundred = estimate_batch(spec, ["glb", "json"], levels=100, jobs=2, cores=2)
    each = estimate_run(spec, ["glb", "json"], started=True)
    assert one["per_level"] == hundred["per_level"] == each.to_dict()
    assert hundred["total"] == {
        "faces": 100 * each.faces,
        "peak_memory_bytes": 2 * each.peak_memory_bytes,
        "seconds": pytest.approx((2 * STEPS["blender"].seconds_for(0) + 100 * each.seconds) / 2, abs=0.1),
    }
