#!/usr/bin/env bash
# Build dist/backrooms-<version>.zip with Blender's own extension tool, then validate the zip.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --no-gltf-validator 5.0
exec .venv-5.0/bin/python tools/build_extension.py "$@"
