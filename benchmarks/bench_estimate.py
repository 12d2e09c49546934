"""The cost estimate against real runs: seconds and peak memory of the command line per size and formats.

Run: `.venv-5.0/bin/python benchmarks/bench_estimate.py [--quick]`. Each case is the real command
line (`python -m backrooms_addon generate ... --formats F`) in a fresh process, timed from start to
exit, its peak resident memory read from the kernel's accounting of that process alone (wait4,
from a small launcher process).
Prints a Markdown table: estimated and measured seconds and peak memory, and their ratios
(measured / estimated). The constants in backrooms_addon/core/cost.py are fitted to these figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backrooms_addon.core.cost import estimate_run  # noqa: E402
from backrooms_addon.core.levels import preset_spec  # noqa: E402

SMALL_PNG = ("160x90", 4)  # a small render, so the per-face part of Cycles shows
# (cells, formats, png resolution and samples): the biggest sizes only for the cheaper formats.
CASES: list[tuple[int, str, tuple[str, int] | None]] = [
    (32, "json", None),
    (500, "json", None),
    (32, "blend", None),
    (250, "blend", None),
    (500, "blend", None),
    (32, "glb", None),
    (250, "glb", None),
    (500, "glb", None),
    (1000, "glb", None),
    (250, "usd", None),
    (500, "usd", None),
    (32, "png", SMALL_PNG),
    (250, "png", SMALL_PNG),
    (32, "png", ("800x450", 16)),
    (250, "blend,glb,json,usd,png", SMALL_PNG),
    (500, "blend,glb,json,usd,png", SMALL_PNG),
]
QUICK = {(32, "json"), (500, "json"), (250, "blend"), (250, "glb"), (500, "glb"), (250, "png")}


# Starts the command from a small process and writes its exit status and peak resident memory
# (wait4: that child's own). A child's peak counts the memory of the process it was forked from,
# so forking it straight from a big one (a test run with Blender loaded) would count that too.
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as result:
    result.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def measure(cells: int, formats: str, render: tuple[str, int] | None, out: Path) -> tuple[float, int]:
    """Wall seconds and peak resident bytes of one run of the command line."""
    command = [sys.executable, "-m", "backrooms_addon", "generate", "--width", str(cells), "--depth", str(cells)]
    command += ["--formats", formats, "--out", str(out)]
    if render:
        command += ["--resolution", render[0], "--samples", str(render[1])]
    result = out / "peak.txt"
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, str(result), *command], cwd=ROOT, capture_output=True)
    seconds = time.perf_counter() - started
    status, kilobytes = (int(word) for word in result.read_text().split())
    result.unlink()
    if status != 0:
        raise RuntimeError(f"{command} failed: {run.stderr.decode()[-2000:]}")
    return seconds, kilobytes * 1024  # ru_maxrss is in kilobytes on Linux


def estimate(cells: int, formats: str, render: tuple[str, int] | None) -> tuple[float, int]:
    spec = preset_spec("LEVEL_0", seed=0, width=cells, depth=cells)
    width, height = (int(side) for side in (render or ("800x450", 16))[0].split("x"))
    cost = estimate_run(spec, formats.split(","), (width, height), (render or ("", 16))[1])
    return cost.seconds, cost.peak_memory_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only six cases (about a minute)")
    args = parser.parse_args()
    print("| cells | formats | png | seconds, estimated | measured | ratio | peak MiB, estimated | measured | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for cells, formats, render in CASES:
            if args.quick and (cells, formats) not in QUICK:
                continue
            est_s, est_b = estimate(cells, formats, render)
            real_s, real_b = measure(cells, formats, render, Path(folder))
            png = f"{render[0]}, {render[1]} samples" if render else ""
            print(
                f"| {cells}x{cells} | {formats} | {png} | {est_s:.1f} | {real_s:.1f} | {real_s / est_s:.2f} "
                f"| {est_b / 2**20:,.0f} | {real_b / 2**20:,.0f} | {real_b / est_b:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
