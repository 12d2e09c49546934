#!/usr/bin/env bash
# Set up what the project needs: the system libraries Blender's bpy wheel links against, one
# virtual environment per supported Blender (bpy wheel + pinned dev tools), and Khronos' glTF
# validator (Node.js, pinned in tools/gltf/package-lock.json) for the tests of the game export.
# Usage: tools/setup.sh [--no-gltf-validator] [5.0|4.2 ...]   (default: 5.0)
#   --no-gltf-validator: skip the test tools: Node.js and the glTF validator (the tests of the game
#                        export need them) and ffprobe (the footage tests read videos with it)
# Sourced (`source tools/setup.sh`), it only defines its functions, so they can be tested.
set -euo pipefail

declare -A BPY_VERSION=([5.0]=5.0.1 [4.2]=4.2.23)

# Shared libraries the bpy wheel needs from the system, with the Debian packages that provide them.
SYSTEM_LIBS="libGL.so.1:libgl1 libX11.so.6:libx11-6 libXfixes.so.3:libxfixes3 libXi.so.6:libxi6
libXrender.so.1:libxrender1 libXext.so.6:libxext6 libXxf86vm.so.1:libxxf86vm1 libSM.so.6:libsm6
libICE.so.6:libice6 libxkbcommon.so.0:libxkbcommon0 libxcb.so.1:libxcb1 libgomp.so.1:libgomp1
libz.so.1:zlib1g libbsd.so.0:libbsd0 libuuid.so.1:libuuid1"

apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing Debian packages: $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

# The Debian packages of SYSTEM_LIBS whose library the linker cache lacks, one per line.
# The cache is read once and matched in bash: `ldconfig -p | grep -q` under pipefail failed
# whenever grep stopped early and ldconfig died of SIGPIPE, so present libraries looked missing.
missing_system_packages() {
  local ldconfig cache entry
  ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
  cache=$("$ldconfig" -p)
  for entry in $SYSTEM_LIBS; do
    [[ $cache == *[[:space:]]"${entry%%:*} "* ]] || echo "${entry##*:}"
  done
}

install_system_libs() {
  local missing
  missing=$(missing_system_packages)
  # shellcheck disable=SC2086  # one package name per word
  [ -z "$missing" ] || apt_install $missing
}

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  echo "error: Python 3.11 is required (Blender's bpy wheels are built for it); set PYTHON=/path/to/python3.11" >&2
  return 1
}

setup_venv() {
  local series=$1 bpy=${BPY_VERSION[$1]:-}
  [ -n "$bpy" ] || { echo "error: unknown Blender series '$series' (known: ${!BPY_VERSION[*]})" >&2; return 2; }
  local venv=".venv-$series"
  local stamp
  stamp="bpy==$bpy $(sha256sum requirements-dev.txt | cut -c1-16)"
  if [ -f "$venv/.backrooms-setup" ] && [ "$(cat "$venv/.backrooms-setup")" = "$stamp" ]; then
    return 0
  fi
  echo "Setting up $venv (Blender $bpy)"
  local python
  python=$(find_python)
  # Debian ships venv's pip bootstrap separately.
  "$python" -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "bpy==$bpy" -r requirements-dev.txt
  echo "$stamp" > "$venv/.backrooms-setup"
}

setup_gltf_validator() {
  local dir=tools/gltf stamp
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
  stamp=$(sha256sum "$dir/package-lock.json" | cut -c1-16)
  if [ -f "$dir/node_modules/.backrooms-setup" ] && [ "$(cat "$dir/node_modules/.backrooms-setup")" = "$stamp" ]; then
    return 0
  fi
  echo "Installing the glTF validator into $dir/node_modules"
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  echo "$stamp" > "$dir/node_modules/.backrooms-setup"
}

# ffprobe reads the streams of the footage tests' videos (a test tool: the add-on encodes with
# Blender's own FFmpeg).
setup_media_probe() {
  command -v ffprobe >/dev/null || apt_install ffmpeg
}

main() {
  local validator=1
  if [ "${1:-}" = "--no-gltf-validator" ]; then
    validator=0
    shift
  fi
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  install_system_libs
  [ "$validator" -eq 0 ] || setup_gltf_validator
  [ "$validator" -eq 0 ] || setup_media_probe
  for series in "${@:-5.0}"; do
    setup_venv "$series"
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
