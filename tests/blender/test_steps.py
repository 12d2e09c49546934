"""Planning in the background: the "planning" steps wait for the worker instead of spinning."""

from __future__ import annotations

import time
from types import ModuleType

import bpy


def test_planning_steps_wait_for_the_plan_instead_of_spinning(scene: bpy.types.Scene, api: ModuleType) -> None:
    steps = api.generate_steps(seed=7, width=128, depth=128, scene=scene, plan_in_background=True)
    start = time.perf_counter()
    planning = 0
    while next(steps).total == 0:
        planning += 1
    seconds = time.perf_counter() - start
    steps.close()
    api.clear(scene)
    # A spinning loop yields every few microseconds; one that waits yields every few milliseconds.
    assert planning < seconds / 0.005 + 2, (planning, seconds)
