"""The extension zip: built and validated by Blender's own tool from a checkout with stray files in it,
holding only what Blender loads, installed into a clean profile."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import bpy
import pytest
from blender_support import ROOT, blender_command
from paths import load_script

pytestmark = pytest.mark.slow


# What a working checkout collects beside the extension: none of it belongs in the zip.
STRAYS = (
    "levels/level_0.glb",
    "levels/manifest.jsonl",
    "out/level0.blend",
    "stray.blend",
    "README.md",
    "tests/test_scratch.py",
    "materials/make_textures.py",
    "materials/notes.txt",
    "backrooms_addon/__pycache__/api.cpython-311.pyc",
    ".hidden",
)


def _build_tool() -> ModuleType:
    return load_script("tools/build_extension.py")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the extension's files and its manifest, with stray files and folders around them."""
    source = tmp_path_factory.mktemp("checkout")
    for name in ["blender_manifest.toml", *_build_tool().shipped_paths(ROOT)]:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, source / name)
    for name in STRAYS:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(b"not part of the extension")
    return source


@pytest.fixture(scope="module")
def extension_zip(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    scripts = Path(bpy.utils.system_resource("SCRIPTS"))
    command = [sys.executable, str(ROOT / "tools" / "build_extension.py"), "--output-dir", str(out)]
    command += ["--source-dir", str(checkout)]
    if bpy.app.binary_path:  # inside a real Blender, sys.executable is its bundled Python
        command += ["--blender-scripts", str(scripts)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.name == "backrooms-0.1.0.zip" and path.parent == out
    return path


def test_zip_holds_only_what_blender_loads(extension_zip: Path, checkout: Path) -> None:
    names = zipfile.ZipFile(extension_zip).namelist()
    assert "blender_manifest.toml" in names and "__init__.py" in names
    assert "backrooms_addon/core/spec.py" in names and "materials/recipes.json" in names
    assert "blend_templates/troffers.blend" in names and "materials/textures/wallpaper_color.png" in names
    assert sorted(names) == sorted(["blender_manifest.toml", *_build_tool().shipped_paths(checkout)])
    assert not set(names) & set(STRAYS)
    assert not [name for name in names if name.startswith(("levels/", "out/", "tests/")) or name.endswith(".pyc")]


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
