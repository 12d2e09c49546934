"""Batch throughput: levels per minute with --jobs 1 and --jobs 2, and the size of each output format.

Run: `.venv-5.0/bin/python benchmarks/bench_batch.py [SEEDS]`. Prints two Markdown tables. Each run
is the real command line (`python -m backrooms_addon batch`) into a fresh folder, timed from start
to exit, so Blender's start-up in every worker is included. Levels are the default 32 x 32 cells.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = "blend,glb,json,usd"
WITH_RENDER = "blend,glb,json,usd,png"


def run(seeds: int, formats: str, jobs: int, out: Path) -> float:
    command = [sys.executable, "-m", "backrooms_addon", "batch", "--seeds", f"0-{seeds - 1}"]
    command += ["--formats", formats, "--jobs", str(jobs), "--out", str(out)]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    print("| outputs | levels | --jobs | wall time (s) | levels per minute |")
    print("|---|---|---|---|---|")
    sizes: dict[str, list[int]] = {}
    for formats, count in ((EXPORTS, seeds), (WITH_RENDER, max(2, seeds // 2))):
        for jobs in (1, 2):
            with tempfile.TemporaryDirectory() as folder:
                seconds = run(count, formats, jobs, Path(folder))
                for line in (Path(folder) / "manifest.jsonl").read_text().splitlines():
                    for fmt, entry in json.loads(line)["files"].items():
                        sizes.setdefault(fmt, []).append(entry["bytes"])
            label = "exports (blend, glb, json, usd)" if formats == EXPORTS else "exports + PNG (preview preset)"
            print(f"| {label} | {count} | {jobs} | {seconds:.1f} | {count / seconds * 60:.1f} |")
    print()
    print("| format | median size (KiB) | smallest | largest |")
    print("|---|---|---|---|")
    for fmt, values in sorted(sizes.items()):
        kib = [statistics.median(values) / 1024, min(values) / 1024, max(values) / 1024]
        print(f"| {fmt} | " + " | ".join(f"{value:.0f}" for value in kib) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
