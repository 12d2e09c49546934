#!/usr/bin/env bash
# The main job: set up Blender 5.0 (bpy) and generate a Level 0 level into out/:
# level0.blend, level0.glb, level0.json (the layout) and level0.png (a Cycles render).
# Extra arguments go to `python -m backrooms_addon generate` (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --no-gltf-validator 5.0
exec .venv-5.0/bin/python -m backrooms_addon generate --seed 0 --out out --name level0 "$@"
