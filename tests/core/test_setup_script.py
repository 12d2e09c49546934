"""tools/setup.sh finds the system libraries that are there, however long the linker cache is."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from paths import ROOT

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

LIBS = ("libGL.so.1", "libX11.so.6", "libxkbcommon.so.0", "libz.so.1", "libuuid.so.1")


def _fake_ldconfig(folder: Path, libs: list[str]) -> Path:
    """An `ldconfig` whose cache lists `libs` first, then far more than a pipe holds."""
    lines = [f"{len(libs) + 100_000} libs found in cache `/etc/ld.so.cache'"]
    lines += [f"\t{lib} (libc6,x86-64) => /lib/x86_64-linux-gnu/{lib}" for lib in libs]
    lines += [f"\tlibfiller{n}.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libfiller{n}.so.1" for n in range(100_000)]
    (folder / "cache.txt").write_text("\n".join(lines) + "\n")
    tool = folder / "ldconfig"
    tool.write_text(f'#!/bin/sh\nexec cat "{folder / "cache.txt"}"\n')
    tool.chmod(0o755)
    return folder


def _missing(folder: Path) -> list[str]:
    script = f'source "{ROOT / "tools" / "setup.sh"}"; SYSTEM_LIBS="{_system_libs()}"; missing_system_packages'
    env = {"PATH": f"{folder}:/usr/bin:/bin"}
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, check=True)
    return result.stdout.split()


def _system_libs() -> str:
    return " ".join(f"{lib}:pkg-{lib.split('.')[0]}" for lib in LIBS)


def test_present_libraries_are_found_in_a_long_cache(tmp_path: Path) -> None:
    assert _missing(_fake_ldconfig(tmp_path, list(LIBS))) == []


def test_a_missing_library_names_its_package(tmp_path: Path) -> None:
    present = [lib for lib in LIBS if lib != "libX11.so.6"] + ["libX11.so.6.bak"]
    assert _missing(_fake_ldconfig(tmp_path, present)) == ["pkg-libX11"]


def test_sourcing_the_script_only_defines_its_functions(tmp_path: Path) -> None:
    script = f'cd "{tmp_path}"; source "{ROOT / "tools" / "setup.sh"}"; pwd; type main >/dev/null && echo defined'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == [str(tmp_path), "defined"], "no set-up ran, the directory stays"
