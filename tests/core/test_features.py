"""The feature protocol: styles list features, and planning, collision, cost and the document loop over them."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Sequence

import numpy as np
import pytest
from paths import ROOT

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.collision import collision_mesh, solid_mesh
from backrooms_addon.core.cost import estimate_cost
from backrooms_addon.core.features import Feature, Features, Story
from backrooms_addon.core.geometry import quad_mesh
from backrooms_addon.core.levels import preset_spec
from backrooms_addon.core.registry import FEATURES, LEVEL_WIDE, level_features, style_features
from backrooms_addon.core.styles import STYLES

REGISTRIES = {"styles.py", "levels.py"}


def _busy(style: str) -> LevelSpec:
    """A level of the style's preset with every feature it can have switched on."""
    joined = {"floors": 2, "pitfall_density": 0.2} if "floors" in STYLES[style].features else {}
    return preset_spec(style, seed=3, width=32, depth=32, pool_density=0.6, **joined)


class Marker(Feature):
    """A feature of the tests: one hole in each floor, one quad of its own, a share of the cost."""

    key = "marker"
    solid = ("marker",)

    def on_story(self, story: Story, so_far: Features) -> Features:
        holes = np.zeros((story.spec.depth, story.spec.width), np.bool_)
        holes[0, 0] = True
        corners = np.array([[[0.2, 0.2, 0.5], [0.8, 0.2, 0.5], [0.8, 0.8, 0.5], [0.2, 0.8, 0.5]]])
        mesh = quad_mesh(
            corners, corners[:, :, :2], 0, ("wallpaper",), story.window.piece_at(corners[0, :1, 0], corners[0, :1, 1])
        )
        return Features(floor_holes=holes, meshes={"marker": mesh})

    def faces(self, spec: LevelSpec) -> float:
        return 1000.0


def test_every_style_lists_known_features_once_and_every_feature_has_a_style() -> None:
    for style in STYLES.values():
        assert len(set(style.features)) == len(style.features), style.key
        assert set(style.features) <= set(FEATURES), style.key
    assert {key for style in STYLES.values() for key in style.features} | set(LEVEL_WIDE) == set(FEATURES)
    assert not set(LEVEL_WIDE) & {key for style in STYLES.values() for key in style.features}
    assert all(key == feature.key for key, feature in FEATURES.items())


@pytest.mark.parametrize("style", sorted(STYLES))
def test_planning_asks_every_feature_of_the_style_in_its_order(style: str, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    for feature in style_features(style):

        def spy(
            spec: LevelSpec, stories: Sequence[Story], so_far: Sequence[Features], feature: Feature = feature
        ) -> list[Features]:
            asked.append(feature.key)
            return type(feature).plan(feature, spec, stories, so_far)

        monkeypatch.setattr(feature, "plan", spy)
    spec = _busy(style)
    plan = plan_level(spec)
    assert asked == [feature.key for feature in level_features(spec)] == list(STYLES[style].features)
    assert plan.to_json()["features"] == asked


@pytest.mark.parametrize("style", sorted(STYLES))
def test_the_cost_estimate_adds_each_features_share(style: str, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _busy(style)
    before = estimate_cost(spec).faces
    for count, feature in enumerate(level_features(spec), 1):
        share = feature.faces
        monkeypatch.setattr(feature, "faces", lambda spec, share=share: share(spec) + 1000.0)
        assert estimate_cost(spec).faces == pytest.approx(before + 1000 * count, abs=1)


@pytest.mark.parametrize("style", sorted(STYLES))
def test_collision_holds_each_features_solid_meshes(style: str, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = plan_level(_busy(style))
    whole = collision_mesh(plan).face_count
    for feature in (feature for feature in level_features(plan.spec) if feature.solid):  # windows: in the wall
        kinds = [kind for kind in feature.solid if kind in plan.meshes]
        assert kinds or feature.key == "floors", f"{feature.key} makes none of its solid meshes"
        monkeypatch.setattr(feature, "solid", ())
        less = collision_mesh(plan).face_count
        assert whole - less == sum(solid_mesh(plan, kind).face_count for kind in kinds)
        whole = less


def test_a_new_feature_plugs_in_through_its_style_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registered and listed by a style, a feature is planned, collides, costs and is documented."""
    spec = LevelSpec(seed=2, width=16, depth=16, floors=2)
    plain, plain_cost = plan_level(spec), estimate_cost(spec).faces
    monkeypatch.setitem(FEATURES, "marker", Marker())
    style = STYLES["LEVEL_0"]
    monkeypatch.setitem(STYLES, "LEVEL_0", dataclasses.replace(style, features=(*style.features, "marker")))
    plan = plan_level(spec)
    assert plan.meshes["marker"].face_count == spec.floors
    assert all(floor.floor_holes[0, 0] for floor in plan.floors)
    assert plan.meshes["floor"].face_count > plain.meshes["floor"].face_count, "the floor goes round its hole"
    marker = plan.meshes["marker"].face_count
    assert collision_mesh(plan).face_count - marker > collision_mesh(plain).face_count, "and so does its collision"
    assert estimate_cost(spec).faces == pytest.approx(plain_cost + 1000, abs=1)
    assert plan.to_json()["features"][-1] == "marker"


def test_no_code_outside_the_registries_compares_a_style_or_preset_name() -> None:
    found = []
    for path in sorted((ROOT / "backrooms_addon").rglob("*.py")):
        if path.parent.name == "core" and path.name in REGISTRIES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                names = [c.value for c in (node.left, *node.comparators) if isinstance(c, ast.Constant)]
                found += [f"{path.relative_to(ROOT)}:{node.lineno}" for n in names if str(n).startswith("LEVEL_")]
    assert not found, f"style or preset names compared outside core/styles.py and core/levels.py: {found}"
