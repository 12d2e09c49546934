"""How many instances a level's troffers make as runs of each longest length (core/plan.py in_runs).

Run: `.venv-5.0/bin/python benchmarks/bench_runs.py [--sizes 250,1000] [--longest 1,8,16,32,64]`.
Prints a Markdown table: per size, the troffers, then the instances and variants that runs of up
to each length make of them (1: one instance a troffer). Cycles syncs every instance on its own,
so this says what longer runs could still save of a first frame. No Blender needed; nothing here is
asserted, it is counted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backrooms_addon.core import LevelSpec
from backrooms_addon.core.plan import FixtureCopies, in_runs, plan_level


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,1000", help="square level sizes in cells (default: %(default)s)")
    parser.add_argument("--longest", default="1,8,16,32,64", help="longest runs to count (default: %(default)s)")
    args = parser.parse_args()
    longest = [int(n) for n in args.longest.split(",")]
    print("| cells | troffers | " + " | ".join(f"instances, runs up to {n} | variants" for n in longest) + " |")
    print("|---|---|" + "---|---|" * len(longest))
    for size in (int(s) for s in args.sizes.split(",")):
        plan = plan_level(LevelSpec(seed=1, width=size, depth=size))
        copies = plan.meshes.copies_of("fixtures")
        assert isinstance(copies, FixtureCopies)
        troffers, step = copies.instances(), copies.run_step
        cells = []
        for n in longest:
            runs = in_runs(troffers, step, n)
            cells.append(f"{len(runs.positions):,} | {len(runs.kinds)}")
        print(f"| {size}x{size} | {len(troffers.positions):,} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
