"""The extension zip: built and validated by Blender's own tool, installed into a clean profile."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import bpy
import pytest
from blender_support import ROOT, blender_command

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def extension_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    scripts = Path(bpy.utils.system_resource("SCRIPTS"))
    command = [sys.executable, str(ROOT / "tools" / "build_extension.py"), "--output-dir", str(out)]
    if bpy.app.binary_path:  # inside a real Blender, sys.executable is its bundled Python
        command += ["--blender-scripts", str(scripts)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.name == "backrooms-0.1.0.zip" and path.parent == out
    return path


def test_zip_holds_the_extension_and_no_development_files(extension_zip: Path) -> None:
    names = zipfile.ZipFile(extension_zip).namelist()
    assert "blender_manifest.toml" in names and "__init__.py" in names
    assert "backrooms_addon/core/spec.py" in names and "materials/recipes.json" in names
    for name in names:
        assert not name.startswith(("tests/", "benchmarks/", "docs/", "tools/", ".")), name
        assert "__pycache__" not in name and not name.endswith(".pyc"), name


def test_install_generate_uninstall_in_a_clean_profile(extension_zip: Path, tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    env = {**os.environ, "BLENDER_USER_RESOURCES": str(tmp_path / "profile")}
    script = Path(__file__).parent / "scripts" / "install_zip.py"
    result = subprocess.run(
        blender_command(script, str(extension_zip), str(report_path)), env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["profile_had_backrooms"] is False
    assert report["install"] == ["FINISHED"] and report["enabled"] is True
    assert "backrooms_addon/api.py" in report["installed_files"]
    assert report["generate"] == ["FINISHED"]
    assert {"Backrooms walls 0,0", "Backrooms floor 0,0", "Backrooms ceiling 0,0", "Backrooms camera"} <= set(
        report["level_objects"]
    )
    assert report["panel_category"] == "Backrooms"
    assert report["operator_after_disable"] is False
    assert report["uninstall"] == ["FINISHED"] and report["left_after_uninstall"] is False
