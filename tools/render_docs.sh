#!/usr/bin/env bash
# Render the README's reference pictures of Level 0 into docs/ (inside and from above).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --no-gltf-validator 5.0
exec .venv-5.0/bin/python tools/render_docs.py
