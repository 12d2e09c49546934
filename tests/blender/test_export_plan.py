"""The game export uses the plan that built a level: no planning again, the same collision."""

from __future__ import annotations

import json
import subprocess

import pytest
from blender_support import ROOT, blender_command

pytestmark = pytest.mark.slow

SCRIPT = ROOT / "tests" / "blender" / "scripts" / "export_planned.py"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("planned")
    result = subprocess.run(blender_command(SCRIPT, str(out)), cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads((out / "report.json").read_text())  # type: ignore[no-any-return]


def test_a_fresh_level_is_exported_without_planning_it_again(report: dict) -> None:
    assert report["fresh"]["error"] is None, report["fresh"]["error"]
    assert "fresh" not in report["calls"]


def test_its_collision_is_the_plans(report: dict) -> None:
    assert len(report["expected"]) > 1, "several pieces"
    assert report["fresh"]["collision"] == report["expected"]


def test_a_level_whose_plan_is_not_in_memory_is_planned_once_with_the_same_collision(report: dict) -> None:
    assert report["reopened"]["error"] is None, report["reopened"]["error"]
    assert report["calls"] == ["reopened"]
    assert report["reopened"]["collision"] == report["expected"]
