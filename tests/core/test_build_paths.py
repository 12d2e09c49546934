"""The manifest's [build] paths name exactly the files the extension loads, and the build checks it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from paths import ROOT, load_script


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return load_script("tools/build_extension.py")


def _copy(tool: ModuleType, target: Path) -> Path:
    for name in ["blender_manifest.toml", *tool.shipped_paths(ROOT)]:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, target / name)
    return target


def _outside_the_list(text: str) -> str:
    return re.sub(r"(?ms)^paths = \[\n.*?^\]\n", "", text)


def test_the_manifest_lists_every_file_the_extension_loads(tool: ModuleType) -> None:
    listed = tool.manifest_paths(ROOT)
    assert listed == tool.shipped_paths(ROOT), "run tools/build_extension.py --update-paths"
    shipped = {"__init__.py", "backrooms_addon/api.py", "materials/recipes.json", "blend_templates/troffers.blend"}
    assert shipped | {"blend_templates/furniture.blend"} <= set(listed)
    assert not any(path.startswith("blend_templates/make_") for path in listed), "the scripts stay out"
    assert "paths_exclude_pattern" not in tool.manifest(ROOT)["build"], "Blender takes paths or patterns, not both"


def test_update_paths_rewrites_the_list_and_nothing_else(tool: ModuleType, tmp_path: Path) -> None:
    source = _copy(tool, tmp_path)
    original = (source / "blender_manifest.toml").read_text()
    tool.update_paths(source)
    before = (source / "blender_manifest.toml").read_text()
    assert _outside_the_list(before) == _outside_the_list(original)
    tool.update_paths(source)
    assert (source / "blender_manifest.toml").read_text() == before, "the same files, the same text"
    (source / "backrooms_addon" / "core" / "new_feature.py").write_text("")
    (source / "levels").mkdir()
    (source / "levels" / "level_0.glb").write_bytes(b"")
    with pytest.raises(SystemExit, match=r"missing: \['backrooms_addon/core/new_feature.py'\]"):
        tool.check_paths(source)
    tool.update_paths(source)
    tool.check_paths(source)
    assert "backrooms_addon/core/new_feature.py" in tool.manifest_paths(source)
    assert not [name for name in tool.manifest_paths(source) if name.startswith("levels/")]
    after = (source / "blender_manifest.toml").read_text()
    assert after.replace('  "backrooms_addon/core/new_feature.py",\n', "") == before
