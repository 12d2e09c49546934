#!/usr/bin/env bash
# The whole test suite: lint and type checks, then every test on Blender 5.0 and on 4.2 LTS,
# each in its own virtual environment. Exits non-zero if anything failed or no test ran.
# Usage: tools/test.sh [pytest arguments]
set -uo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh 5.0 4.2 || exit 1

status=0
step() {
  echo "== $*"
  "$@"
  local rc=$?
  # pytest exits 5 when it collected no test: that is a failure here, not a pass.
  if [ $rc -ne 0 ]; then echo "!! failed ($rc): $*"; status=1; fi
}

step .venv-5.0/bin/ruff check .
step .venv-5.0/bin/ruff format --check .
step .venv-5.0/bin/mypy
for series in 5.0 4.2; do
  step ".venv-$series/bin/python" -m pytest -p no:pytest-blender "$@"
done
[ $status -eq 0 ] && echo "== all checks passed" || echo "== some checks FAILED"
exit $status
