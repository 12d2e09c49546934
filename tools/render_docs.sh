#!/usr/bin/env bash
# Render the README's reference picture of Level 0 into docs/ (a small, losslessly optimised PNG).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh 5.0
tmp=$(mktemp -d)
.venv-5.0/bin/python -m backrooms_addon generate --seed 0 --out "$tmp" --name level0 --formats png \
  --samples 32 --resolution 640x360
.venv-5.0/bin/python -c "import sys; from PIL import Image; Image.open(sys.argv[1]).convert('RGB').save(sys.argv[2], optimize=True)" \
  "$tmp/level0.png" docs/level0.png
rm -rf "$tmp"
ls -l docs/level0.png
