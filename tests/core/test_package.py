"""The package as Blender and users see it: imports, manifest, versions, zip contents rules."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from paths import ROOT

from backrooms_addon.core.version import ADDON_VERSION

BLOCK_BLENDER = "import sys; sys.modules.update(bpy=None, mathutils=None, bmesh=None); "


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)


def test_core_and_package_import_without_blender() -> None:
    result = _python(BLOCK_BLENDER + "import backrooms_addon, backrooms_addon.core, backrooms_addon.cli; print('ok')")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_blender_modules_do_need_blender() -> None:
    # The check above must be able to fail: modules of the Blender layer cannot import.
    result = _python(BLOCK_BLENDER + "import backrooms_addon.api")
    assert result.returncode != 0


def test_root_init_imports_nothing_from_blender() -> None:
    code = (
        BLOCK_BLENDER + "import importlib.util; "
        f"spec = importlib.util.spec_from_file_location('backrooms', {str(ROOT / '__init__.py')!r}, "
        f"submodule_search_locations=[{str(ROOT)!r}]); "
        "module = importlib.util.module_from_spec(spec); sys.modules['backrooms'] = module; "
        "spec.loader.exec_module(module); print(callable(module.register), callable(module.unregister))"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True"


def _manifest() -> dict:
    with open(ROOT / "blender_manifest.toml", "rb") as handle:
        return tomllib.load(handle)


def test_manifest_fields() -> None:
    manifest = _manifest()
    assert manifest["schema_version"] == "1.0.0"
    assert manifest["id"] == "backrooms"
    assert manifest["type"] == "add-on"
    assert manifest["version"] == ADDON_VERSION
    assert manifest["blender_version_min"] == "4.2.0"
    assert manifest["license"] == ["SPDX:GPL-3.0-or-later"]
    tagline = manifest["tagline"]
    assert 0 < len(tagline) <= 64 and not tagline.endswith(".")
    assert manifest["permissions"]["files"] and not manifest["permissions"]["files"].endswith(".")


def test_manifest_keeps_development_files_out_of_the_zip() -> None:
    listed = _manifest()["build"]["paths"]
    development = ("tests/", "benchmarks/", "docs/", "tools/", ".", "levels/", "out/", "dist/")
    assert not [
        path
        for path in listed
        if path.startswith(development) or not path.endswith((".py", ".json", ".png", ".blend", "LICENSE"))
    ]
    assert not {"README.md", "Makefile", "pyproject.toml", "requirements-dev.txt", "materials/make_textures.py"} & set(
        listed
    )


def test_every_algorithm_has_a_picture_and_is_documented() -> None:
    from backrooms_addon.core.algorithms import ALGORITHM_LABELS, ALGORITHMS

    document = (ROOT / "docs" / "layout-format.md").read_text()
    assert set(ALGORITHM_LABELS) == set(ALGORITHMS)
    for name in ALGORITHMS:
        assert (ROOT / "docs" / "layouts" / f"{name}.png").is_file(), name
        assert f"`{name}`" in document, name
