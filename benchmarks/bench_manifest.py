"""What a batch does before its first level: reading the manifest, planning a resume, checking
the seeds and their names, for manifests of up to a million lines.

Run: `.venv-5.0/bin/python benchmarks/bench_manifest.py [LINES ...]` (no Blender needed; default
10,000 to 1,000,000 lines; `--root DIR` measures another checkout's `Manifest.tasks`). Each
figure comes from a fresh process: wall time, and how far the process's peak memory (RSS) rose
during the step. The manifest is made of copies of a real record (formats glb and json), and one
file per level is on disk with the recorded size, so planning looks each file up as in a real
resume.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = 987654321  # the seed in the template record, replaced by each level's
SIZES = (10_000, 100_000, 200_000, 1_000_000)
JOB = {"preset": "LEVEL_0", "overrides": {"width": 10, "depth": 8}, "formats": ("json",)}

# Runs in a fresh process: the step named by argv[1], timed, with the rise of peak RSS.
STEP = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from backrooms_addon.cli.batch import Job, Manifest, check_name, parse_seeds
step, out, lines = sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
job = Job("LEVEL_0", {"width": 10, "depth": 8}, ("json",), out)
manifest = Manifest(out / "manifest.jsonl")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
if step == "read":
    manifest.sizes(job)
elif step == "plan":
    left = manifest.tasks(job, range(lines))
    assert not left, len(left)
else:  # the checks of a run in an empty folder: seeds, names, what to build
    seeds = parse_seeds(f"0-{lines - 1}")
    check_name(job.name, seeds)
    job.spec(0)
    assert len(manifest.tasks(job, seeds)) == lines
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps([seconds, peak / 1024]))
"""


def write_manifest(out: Path, lines: int) -> None:
    """`lines` records of levels 0.. (a real record's shape), each level's .json on disk."""
    sys.path.insert(0, str(ROOT))
    from backrooms_addon.cli.batch import Job, Task
    from backrooms_addon.cli.worker import build_level

    job = Job(**JOB, name="level_{seed}", out=out)  # type: ignore[arg-type]
    record = build_level(job, Task(PLACEHOLDER, ("json",)))
    (out / f"level_{PLACEHOLDER}.json").unlink()
    record["files"]["glb"] = {"path": f"level_{PLACEHOLDER}.glb", "bytes": 1_300_000}
    record["timings"]["glb"] = 0.2
    template = json.dumps(record, sort_keys=True) + "\n"
    size = record["files"]["json"]["bytes"]
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as stream:
        for seed in range(lines):
            stream.write(template.replace(str(PLACEHOLDER), str(seed)))
    blank = b"x" * size
    for seed in range(lines):
        (out / f"level_{seed}.json").write_bytes(blank)


def measure(root: Path, step: str, out: Path, lines: int) -> tuple[float, float]:
    result = subprocess.run(
        [sys.executable, "-c", STEP, str(root), step, str(out), str(lines)], capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    seconds, megabytes = json.loads(result.stdout.strip().splitlines()[-1])
    return seconds, megabytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lines", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout whose batch code is measured")
    args = parser.parse_args()
    print("| manifest lines | read (s) | read, peak memory (MB) | plan a resume (s) | plan, peak memory (MB) |")
    print("|---|---|---|---|---|")
    for lines in args.lines:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder)
            write_manifest(out, lines)
            size = (out / "manifest.jsonl").stat().st_size / 2**20
            read = measure(args.root, "read", out, lines) if args.root == ROOT else (float("nan"),) * 2
            plan = measure(args.root, "plan", out, lines)
            print(
                f"| {lines:,} ({size:,.0f} MB) | {read[0]:.1f} | {read[1]:,.0f} | {plan[0]:.1f} | {plan[1]:,.0f} |",
                flush=True,
            )
    with tempfile.TemporaryDirectory() as folder:
        seconds, megabytes = measure(args.root, "checks", Path(folder), 1_000_000)
    print()
    print(
        f"Checks before the first level of `--seeds 0-999999` in an empty folder (seeds, names, spec, "
        f"what to build): {seconds:.1f} s, peak memory +{megabytes:,.0f} MB."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
