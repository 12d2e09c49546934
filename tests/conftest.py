"""Shared test settings: hypothesis profiles and the repository root on sys.path."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings

# tests/ first (the shared checks in level_checks.py and the one ROOT in paths.py), then the
# repository root (the package under test).
TESTS = str(Path(__file__).resolve().parent)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from paths import ROOT  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Generation keeps what a new file builds once in a cache folder (realize/file_cache.py): the tests
# (and the Blender processes they start) use one of their own, empty when the run starts, and
# never the user's. So the first tests build materials and the later ones mostly append them, as
# a user's Blender does; tests/blender/test_file_cache.py checks both ways give the same, each
# test there with a folder of its own (BACKROOMS_CACHE_DIR).
_CACHE = tempfile.TemporaryDirectory(prefix="backrooms-test-cache-")
os.environ["BACKROOMS_CACHE_DIR"] = _CACHE.name

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("default"), max_examples=60, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

# The bpy 4.2 module can crash while the interpreter shuts down, after every test has passed and
# the summary is printed (a segmentation fault in Blender's own teardown, seen now and then with
# levels, handlers and node groups made during the run). The session's result is final by then,
# so with that module the process ends with the session's status instead of tearing Blender down.
_SESSION_STATUS: list[int] = []


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    _SESSION_STATUS.append(int(exitstatus))


def pytest_unconfigure(config: object) -> None:
    bpy = sys.modules.get("bpy")
    if bpy is None or not _SESSION_STATUS or bpy.app.version >= (4, 3, 0) or bpy.app.binary_path:
        return  # Blender 4.3 and later, or a real Blender running the tests: its own exit
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_SESSION_STATUS[-1])
