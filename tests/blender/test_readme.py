"""The README's example of the API in the repository's own environment runs as written."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from blender_support import ROOT, RUNNING_INSIDE_BLENDER

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(RUNNING_INSIDE_BLENDER, reason="runs the bpy module's Python, as the README says"),
]


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)


def test_the_api_example_for_the_repositorys_environment_runs() -> None:
    (example,) = [block for block in _python_blocks() if "from backrooms_addon import api" in block]
    result = subprocess.run([sys.executable, "-c", example], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("Backrooms Level 0 (seed 7) "), result.stdout


def test_the_walk_example_runs_and_prints_what_it_says() -> None:
    (example,) = [block for block in _python_blocks() if "api.walk(" in block]
    result = subprocess.run([sys.executable, "-c", example], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    promised = re.search(r"# (.*)$", example.strip().splitlines()[-1])
    assert promised is not None
    assert result.stdout.strip().splitlines()[-1] == promised.group(1)
