"""The run estimate against a real game export, and the panel's warning for a level over a minute."""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import bpy
import pytest
from blender_support import RUNNING_INSIDE_BLENDER
from paths import load_script


class _Labels:
    """Stands in for a UILayout in draw_cost, recording the labels drawn."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def box(self) -> _Labels:
        return self

    def label(self, text: str = "", **_: object) -> None:
        self.texts.append(text)


def _readout(panels: ModuleType, scene: bpy.types.Scene) -> list[str]:
    layout = _Labels()
    panels.draw_cost(layout, scene.backrooms)
    return layout.texts


def test_the_readout_says_how_long_generate_takes(scene: bpy.types.Scene, addon: ModuleType) -> None:
    panels = importlib.import_module(f"{addon.__name__}.ui.panels")
    scene.backrooms.width = scene.backrooms.depth = 64
    texts = _readout(panels, scene)
    assert any(text.endswith("to generate") and "MiB" in text for text in texts), texts
    assert not any(text.startswith("Slow") for text in texts)


def test_the_readout_warns_when_generate_takes_over_a_minute(
    scene: bpy.types.Scene, addon: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    panels = importlib.import_module(f"{addon.__name__}.ui.panels")
    real = panels.estimate_cost
    # No level within the memory limit takes a minute on the machine the model was fitted on, so
    # the estimate is made slower, as it would be for a slower machine's figures.
    monkeypatch.setattr(panels, "estimate_cost", lambda spec: replace(real(spec), seconds=75.0))
    texts = _readout(panels, scene)
    assert "Slow: over a minute to generate" in texts, texts
    assert any(text.endswith("and 75 s to generate") for text in texts), texts


@pytest.mark.slow
@pytest.mark.skipif(RUNNING_INSIDE_BLENDER, reason="`python -m backrooms_addon` needs Blender as the bpy module")
def test_the_estimate_is_within_twice_the_real_peak_of_a_game_export(tmp_path: Path) -> None:
    bench = load_script("benchmarks/bench_estimate.py")
    _, measured = bench.measure(48, "glb", None, tmp_path)
    _, estimated = bench.estimate(48, "glb", None)
    assert estimated / 2 <= measured <= estimated * 2, (estimated, measured)
