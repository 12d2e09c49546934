"""Build and validate the extension zip with the tool Blender itself uses (shipped in the bpy wheel)."""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def blender_tools(scripts: Path | None = None) -> tuple[Path, Path]:
    """Paths of blender_ext.py and Blender's list of valid tags, from Blender's scripts folder
    (by default the one inside the installed bpy package)."""
    if scripts is None:
        spec = importlib.util.find_spec("bpy")
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit("error: the bpy module is not installed (run tools/setup.sh)")
        package = Path(next(iter(spec.submodule_search_locations)))
        scripts = next(package.glob("*/scripts"))
    return (
        scripts / "addons_core" / "bl_pkg" / "cli" / "blender_ext.py",
        scripts / "modules" / "_bpy_internal" / "extensions" / "tags.py",
    )


def manifest_version() -> str:
    with open(ROOT / "blender_manifest.toml", "rb") as handle:
        return str(tomllib.load(handle)["version"])


def build(output_dir: Path, scripts: Path | None = None) -> Path:
    """Validate the source, build the zip, validate the zip; returns the zip's path."""
    ext_tool, tags = blender_tools(scripts)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"backrooms-{manifest_version()}.zip"
    target.unlink(missing_ok=True)
    run = [sys.executable, str(ext_tool)]
    subprocess.run([*run, "validate", "--valid-tags", str(tags), str(ROOT)], check=True)
    subprocess.run(
        [*run, "build", "--source-dir", str(ROOT), "--output-filepath", str(target), "--valid-tags", str(tags)],
        check=True,
    )
    subprocess.run([*run, "validate", "--valid-tags", str(tags), str(target)], check=True)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output-dir", type=Path, default=ROOT / "dist", help="folder for the zip (default: dist/)")
    parser.add_argument("--blender-scripts", type=Path, help="Blender's scripts folder (default: the bpy module's)")
    args = parser.parse_args()
    print(build(args.output_dir, args.blender_scripts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
