"""Batch generation without Blender: jobs, seed lists, shards, the manifest, resuming and progress."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..core.errors import InvalidSpecError
from ..core.levels import DEFAULT_PRESET, preset_spec
from ..core.spec import LIMITS, LevelSpec, with_current_names

FORMATS = ("blend", "glb", "json", "png", "usd")
SUFFIXES = {"blend": ".blend", "glb": ".glb", "json": ".json", "png": ".png", "usd": ".usdz"}
MANIFEST = "manifest.jsonl"
MAX_SEEDS = 1_000_000
# Outputs are written under this marker and renamed when complete (see worker.atomically).
PARTIAL_MARKER = ".partial-"


@dataclass(frozen=True)
class Job:
    """What every level of a run shares: the preset, the flags over it, the outputs and where they go."""

    preset: str
    overrides: dict[str, Any]
    formats: tuple[str, ...]
    out: Path
    name: str = "level_{seed}"
    render: str = "preview"
    samples: int | None = None
    resolution: tuple[int, int] | None = None
    draco: bool = False
    collision: bool = True

    def spec(self, seed: int) -> LevelSpec:
        return preset_spec(self.preset, **{**self.overrides, "seed": seed})

    def stem(self, seed: int) -> str:
        return self.name.format(seed=seed, preset=self.preset)

    def path(self, seed: int, fmt: str) -> Path:
        return self.out / f"{self.stem(seed)}{SUFFIXES[fmt]}"

    def to_json(self) -> str:
        data = asdict(self)
        data["out"] = str(self.out)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Job:
        data = json.loads(text)
        data["out"] = Path(data["out"])
        data["formats"] = tuple(data["formats"])
        data["resolution"] = tuple(data["resolution"]) if data["resolution"] else None
        return cls(**data)


@dataclass(frozen=True)
class Task:
    """One level to build, and which of its files are still missing."""

    seed: int
    formats: tuple[str, ...]


def parse_formats(text: str) -> tuple[str, ...]:
    formats = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [item for item in formats if item not in FORMATS]
    if unknown or not formats:
        raise InvalidSpecError("formats", f"must be a comma-separated list out of {','.join(FORMATS)}, got {text!r}")
    return tuple(dict.fromkeys(formats))


def parse_seeds(text: str) -> list[int]:
    """'0-999', '3,17,42' or both mixed: the seeds in the order given, each once."""
    seeds: dict[int, None] = {}
    for token in (t.strip() for t in text.split(",")):
        span = re.fullmatch(r"(\d+)-(\d+)", token)
        if span:
            first, last = int(span[1]), int(span[2])
            if last < first:
                raise InvalidSpecError("seeds", f"range {token!r} runs backwards; write it as {last}-{first}")
            if last - first + len(seeds) >= MAX_SEEDS:
                raise InvalidSpecError("seeds", f"at most {MAX_SEEDS:,} seeds per run, got more with {token!r}")
            seeds.update(dict.fromkeys(range(first, last + 1)))
        elif re.fullmatch(r"-?\d+", token):
            seeds[int(token)] = None
        else:
            raise InvalidSpecError("seeds", f"must be ranges A-B and seeds N separated by commas, got {token!r}")
    bounds = LIMITS["seed"]
    for seed in (min(seeds), max(seeds)):
        if not bounds.low <= seed <= bounds.high:
            raise InvalidSpecError("seeds", f"each seed must be {bounds.describe()}, got {seed}")
    return list(seeds)


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N': this run takes every N-th seed starting at the K-th (0 <= K < N)."""
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not int(match[1]) < int(match[2]):
        raise InvalidSpecError("shard", f"must be K/N with 0 <= K < N (K counts from 0), got {text!r}")
    return int(match[1]), int(match[2])


def shard(seeds: list[int], index: int, count: int) -> list[int]:
    """The seeds of shard `index` of `count`: disjoint shards that together cover the list."""
    return seeds[index::count]


def check_name(pattern: str, seeds: list[int]) -> None:
    """A naming pattern must tell the levels apart and stay inside the output folder."""
    if "{seed" not in pattern:
        raise InvalidSpecError("name", f"must contain {{seed}} so that every level gets its own files, got {pattern!r}")
    try:
        stem = pattern.format(seed=seeds[0], preset=DEFAULT_PRESET)
    except (KeyError, IndexError, ValueError) as error:
        raise InvalidSpecError("name", f"may use {{seed}} and {{preset}} only, got {pattern!r} ({error})") from None
    if "/" in stem or "\\" in stem or stem.startswith(".") or not stem:
        raise InvalidSpecError("name", f"must be a plain file name that does not start with '.', got {pattern!r}")


def check_out(out: Path) -> None:
    """The output folder exists or can be made, and is a folder."""
    if out.exists() and not out.is_dir():
        raise InvalidSpecError("out", f"{out} exists and is not a folder")
    parent = next((p for p in [out, *out.parents] if p.exists()), None)
    if parent is None or not parent.is_dir():
        raise InvalidSpecError("out", f"{out} cannot be made: {parent} is not a folder")


class Manifest:
    """The run's record, one JSON line per level built: what was written, from which spec, how long
    it took. It is appended to, never rewritten, so a killed run loses at most a line in progress."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                yield json.loads(line)
            except json.JSONDecodeError:  # a line cut short by a kill: that level is built again
                continue

    def append(self, record: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(record, sort_keys=True) + "\n")

    def tasks(self, job: Job, seeds: Iterable[int]) -> list[Task]:
        """What is left to build: each seed with the formats whose file is not known to be complete
        (recorded for the same spec, and on disk with the recorded size)."""
        written: dict[tuple[int, str], tuple[dict[str, Any], int]] = {}
        for record in self.records():
            if record.get("status") != "ok":
                continue
            for fmt, entry in record.get("files", {}).items():
                written[(record["seed"], fmt)] = (with_current_names(record["spec"]), entry["bytes"])
        tasks = []
        for seed in seeds:
            spec = job.spec(seed).to_dict()
            missing = tuple(
                fmt for fmt in job.formats if not _complete(job.path(seed, fmt), written.get((seed, fmt)), spec)
            )
            if missing:
                tasks.append(Task(seed, missing))
        return tasks


def _complete(path: Path, written: tuple[dict[str, Any], int] | None, spec: dict[str, Any]) -> bool:
    return written is not None and written[0] == spec and path.is_file() and path.stat().st_size == written[1]


def remove_partial_files(job: Job) -> list[Path]:
    """Temporary files that a killed run left behind (only ours: they carry the partial marker)."""
    leftovers = [p for p in job.out.glob(f".*{PARTIAL_MARKER}*") if p.is_file()]
    for path in leftovers:
        path.unlink()
    return leftovers


@dataclass
class ProgressReport:
    """A progress bar on a terminal, one plain line per level otherwise (logs, CI, schedulers)."""

    total: int
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    done: int = 0
    failed: int = 0
    started: float = field(default_factory=time.perf_counter)

    def update(self, record: dict[str, Any]) -> None:
        self.done += 1
        self.failed += record["status"] != "ok"
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed * 60 if elapsed > 0 else 0.0
        if self.stream.isatty():
            filled = round(30 * self.done / max(self.total, 1))
            bar = "#" * filled + "." * (30 - filled)
            self.stream.write(
                f"\r[{bar}] {self.done}/{self.total} levels, {self.failed} failed, {rate:.1f} levels/min "
            )
            if self.done == self.total:
                self.stream.write("\n")
        else:
            status = "ok" if record["status"] == "ok" else f"FAILED: {record.get('error', '')}"
            seconds = record.get("timings", {}).get("total", 0.0)
            self.stream.write(f"level {self.done}/{self.total} seed {record['seed']}: {status} ({seconds:.1f} s)\n")
        self.stream.flush()
