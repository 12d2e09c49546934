"""What one new data-block costs Blender as the file fills: the per-object part of a build.

Run with a Blender environment: `.venv-5.0/bin/python benchmarks/bench_ids.py [--counts 100,500,1000,2000,4000]`.
For each count, a new file is filled with that many meshes and objects named as a level's pieces
(`Backrooms Level 0 (seed 1) Backrooms walls 3,7`, `Backrooms walls 3,7`), then --repeats more of
each are made the ways a build makes them, timed one by one:
- copy, rename: a mesh copied from a template (named `<template>.001`), then renamed to a piece's
  name (realize/mesh.py MeshTemplates and renamed: one new data-block, then one rename); the copy from a
  template named `Backrooms mesh template`, and from one named as the add-on names it
  (TEMPLATE_NAME, which sorts after every usual name);
- new mesh, name sorting last / first: bpy.data.meshes.new with a name after or before every other;
- new object: bpy.data.objects.new with a piece's name.
Blender keeps each kind's data-blocks in a list sorted by name, and every new data-block or new
name is put in its place by walking back from the list's end 512 at a time until past it, then
comparing names one by one (BKE id_sort_by_name): each costs more as the file holds more of its
kind, up to about 512 of them for a name near the end, and with every one after it for a name
far from the end. A 1000 x 1000 level makes about a thousand meshes and a thousand objects: this is
what each of them costs beyond its data. Prints a Markdown table (microseconds per data-block,
the median of --repeats); nothing here is asserted, it is measured.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PIECE_COLUMNS = 40  # pieces along x in the names made up here


def piece(number: int) -> str:
    """A piece's object name, as realize/level.py piece_name makes it."""
    row, column = divmod(number, PIECE_COLUMNS)
    return f"Backrooms walls {column},{row}"


def mesh_name(number: int, seed: int = 1) -> str:
    """A piece's mesh name: its level's collection name, then the piece's."""
    return f"Backrooms Level 0 (seed {seed}) {piece(number)}"


def filled(bpy: Any, count: int) -> None:
    """A new, empty file holding `count` meshes and objects named as a level's pieces."""
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    for number in range(count):
        bpy.data.objects.new(piece(number), bpy.data.meshes.new(mesh_name(number)))


def each(repeats: int, make: Callable[[int], object]) -> float:
    """Median microseconds of make(i), i = 0 .. repeats - 1, each timed on its own."""
    times = []
    for number in range(repeats):
        started = time.perf_counter()
        make(number)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def measure(bpy: Any, count: int, repeats: int) -> list[float]:
    """Microseconds per data-block, each way, in a file of `count` meshes and objects."""
    figures = []
    filled(bpy, count)
    from backrooms_addon.realize.mesh import TEMPLATE_NAME, renamed

    copies: dict[str, list[Any]] = {}
    for name in ("Backrooms mesh template", TEMPLATE_NAME):
        template = bpy.data.meshes.new(name)
        template.attributes.new("UVMap", "FLOAT2", "CORNER")
        made = copies[name] = []
        figures.append(each(repeats, lambda n: made.append(template.copy())))  # noqa: B023
    bpy.data.batch_remove(copies[TEMPLATE_NAME])  # the rest are made among the level's names alone
    copied = copies["Backrooms mesh template"]
    # Renamed as a second level's pieces (seed 2), in among the first's names.
    figures.append(each(repeats, lambda n: renamed(copied[n], mesh_name(n * 7 % count, seed=2))))
    figures.append(each(repeats, lambda n: bpy.data.meshes.new(f"~ last {n:06d}")))
    figures.append(each(repeats, lambda n: bpy.data.meshes.new(f"! first {n:06d}")))
    figures.append(each(repeats, lambda n: bpy.data.objects.new(piece(n * 7 % count) + " b", None)))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="100,500,1000,2000,4000", help="meshes and objects in the file")
    parser.add_argument("--repeats", type=int, default=200, help="data-blocks made each way (default: %(default)s)")
    args = parser.parse_args()
    import bpy

    print("| meshes and objects in the file | copy (us) | copy, template sorting last (us) | rename (us) "
          "| new mesh, name last (us) "
          "| new mesh, name first (us) | new object (us) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for count in (int(c) for c in args.counts.split(",")):
        figures = measure(bpy, count, args.repeats)
        print(f"| {count:,} | " + " | ".join(f"{figure:.1f}" for figure in figures) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
