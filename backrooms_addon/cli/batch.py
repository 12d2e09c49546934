"""Batch generation without Blender: jobs, seed lists, shards, the manifest, resuming and progress."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import stat
import string
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TextIO

from ..core.errors import InvalidSpecError
from ..core.levels import DEFAULT_PRESET, preset_spec
from ..core.spec import LIMITS, RENAMED_FIELDS, LevelSpec, with_current_names

FORMATS = ("blend", "glb", "json", "png", "usd")
SUFFIXES = {"blend": ".blend", "glb": ".glb", "json": ".json", "png": ".png", "usd": ".usdz"}
MANIFEST = "manifest.jsonl"
MAX_SEEDS = 1_000_000
_FORMAT_INDEX = {fmt: index for index, fmt in enumerate(FORMATS)}
# File names stay well under the usual 255-byte limit with the temporary name's dot, marker,
# host name, process id and suffix around them.
MAX_NAME_BYTES = 150
_PLAIN_NAME = re.compile(r"[^./\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]*")


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

    def stored_spec(self) -> dict[str, Any]:
        """The spec of seed 0 as a manifest holds it (read back from JSON). Seeds change the seed
        alone, so this one checked spec stands for every level of the run."""
        data: dict[str, Any] = json.loads(json.dumps(self.spec(0).to_dict()))
        return data

    def stem(self, seed: int) -> str:
        return self.name.format(seed=seed, preset=self.preset)

    def path(self, seed: int, fmt: str) -> Path:
        return self.out / f"{self.stem(seed)}{SUFFIXES[fmt]}"

    def to_json(self) -> str:
        data = asdict(self)
        data["out"] = str(self.out)
        return json.dumps(data)

    def run(self, order: dict[str, Any]) -> dict[str, Any]:
        """Build one level of the run (a worker's order: its seed and missing formats); its record."""
        from .worker import build_level  # the worker side imports Blender when it must

        return build_level(self, Task(order["seed"], tuple(order["formats"])))

    @classmethod
    def from_json(cls, text: str) -> Job:
        data = json.loads(text)
        data.pop("kind", None)
        data["out"] = Path(data["out"])
        data["formats"] = tuple(data["formats"])
        data["resolution"] = tuple(data["resolution"]) if data["resolution"] else None
        return cls(**data)


@dataclass(frozen=True)
class Task:
    """One level to build, and which of its files are still missing."""

    seed: int
    formats: tuple[str, ...]

    def order(self) -> dict[str, Any]:
        """What a worker is sent for it."""
        return {"seed": self.seed, "formats": list(self.formats)}


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


def parse_samples(samples: int) -> int:
    if not 1 <= samples <= 4096:
        raise InvalidSpecError("samples", f"must be an integer from 1 to 4096, got {samples}")
    return samples


def parse_resolution(text: str) -> tuple[int, int]:
    parts = text.lower().split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise InvalidSpecError("resolution", f"must be WIDTHxHEIGHT in pixels, got {text!r}") from None
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise InvalidSpecError("resolution", f"each side must be from 16 to 8192 pixels, got {text!r}")
    return width, height


MAX_JOBS = 64


def check_workers(jobs: int, dask: str | None, what: str) -> None:
    """`--jobs` and `--dask` of a batch or of footage (`what` the workers do: "build", "render")."""
    if not 1 <= jobs <= MAX_JOBS:
        raise InvalidSpecError("jobs", f"must be an integer from 1 to {MAX_JOBS}, got {jobs}")
    if dask and jobs != 1:
        raise InvalidSpecError("jobs", f"--jobs sets local worker processes; with --dask the cluster's workers {what}")
    if dask and importlib.util.find_spec("distributed") is None:
        raise InvalidSpecError("dask", "the Dask backend needs the distributed package: pip install distributed")


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N': this run takes every N-th seed starting at the K-th (0 <= K < N)."""
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not int(match[1]) < int(match[2]):
        raise InvalidSpecError("shard", f"must be K/N with 0 <= K < N (K counts from 0), got {text!r}")
    return int(match[1]), int(match[2])


def shard(seeds: list[int], index: int, count: int) -> list[int]:
    """The seeds of shard `index` of `count`: disjoint shards that together cover the list."""
    return seeds[index::count]


def check_name(pattern: str, seeds: Sequence[int], preset: str = DEFAULT_PRESET) -> None:
    """`--name`, for generate and batch alike: every seed's name is a plain file name inside the
    output folder, and distinct seeds get distinct names. Patterns of plain {seed} and {preset}
    fields are checked on a sample (their names differ by the seed's digits alone); any other
    pattern (a conversion, a format spec) on every seed."""
    fields = _fields(pattern)
    plain = all(conversion is None and not spec for _, conversion, spec in fields)
    sample = [seeds[0], min(seeds), max(seeds)] if plain and seeds else seeds
    names: dict[str, int] = {}
    for seed in sample:
        name = _format_name(pattern, seed, preset)
        if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES or not _PLAIN_NAME.fullmatch(name):
            raise InvalidSpecError(
                "name",
                f"must give a plain file name inside the output folder (no '/', '\\' or control characters, "
                f"not starting with '.', at most {MAX_NAME_BYTES} bytes), got {name!r}"
                + (f" from {pattern!r}" if name != pattern else ""),
            )
        if names.setdefault(name, seed) != seed:
            _same_name(pattern, names[name], seed)
    if plain and len(seeds) > 1 and not any(name == "seed" for name, _, _ in fields):
        _same_name(pattern, seeds[0], seeds[1])


def _fields(pattern: str) -> list[tuple[str, str | None, str]]:
    """The replacement fields of a name pattern: {seed} and {preset} only (no attributes, indexes)."""
    try:
        parsed = [(f, c, s or "") for _, f, s, c in string.Formatter().parse(pattern) if f is not None]
    except ValueError as error:
        raise InvalidSpecError("name", f"may use {{seed}} and {{preset}} only, got {pattern!r} ({error})") from None
    for name, _, _ in parsed:
        if name not in ("seed", "preset"):
            raise InvalidSpecError("name", f"may use {{seed}} and {{preset}} only, got {pattern!r}")
    return parsed


def _format_name(pattern: str, seed: int, preset: str) -> str:
    try:
        return pattern.format(seed=seed, preset=preset)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise InvalidSpecError("name", f"cannot be filled in with seed {seed}: {pattern!r} ({error})") from None


def _same_name(pattern: str, first: int, second: int) -> NoReturn:
    raise InvalidSpecError(
        "name", f"gives seeds {first} and {second} the same file name with {pattern!r}: use {{seed}} in it"
    )


def check_out(out: Path) -> None:
    """The output folder exists or can be made, and is a folder (nothing is made here)."""
    if out.exists() and not out.is_dir():
        raise InvalidSpecError("out", f"{out} exists and is not a folder")
    parent = next((p for p in [out, *out.parents] if p.exists()), None)
    if parent is None or not parent.is_dir():
        raise InvalidSpecError("out", f"{out} cannot be made: {parent} is not a folder")


def prepare_out(out: Path, probe: Path) -> None:
    """Make the output folder and write and remove `probe` in it, so that a folder where nothing
    can be written (read-only, /proc) is refused before any level is built."""
    check_out(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with probe.open("x"):
            pass
        probe.unlink()
    except OSError as error:
        raise InvalidSpecError("out", f"cannot write files in {out}: {error.strerror or error}") from None


class Manifest:
    """The run's record, one JSON line per level built: what was written, from which spec, how long
    it took. It is appended to, never rewritten, so a killed run loses at most a line in progress;
    several runs (shards) may append to one manifest at the same time."""

    def __init__(self, path: Path, warnings: TextIO | None = None) -> None:
        self.path = path
        self.warnings = warnings

    def check(self) -> None:
        if self.path.exists() and not self.path.is_file():
            raise InvalidSpecError("manifest", f"{self.path} is not a file; move it away to run a batch here")

    def append(self, record: dict[str, Any]) -> None:
        """Add a line in one write; after a line that a killed run cut short, on a line of its own."""
        line = (json.dumps(record, sort_keys=True) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
        try:
            if os.lseek(fd, 0, os.SEEK_END) and (os.lseek(fd, -1, os.SEEK_END), os.read(fd, 1))[1] != b"\n":
                line = b"\n" + line
            os.write(fd, line)  # one write in append mode: lines of concurrent runs do not mix
        finally:
            os.close(fd)

    def sizes(self, job: Job) -> dict[int, int]:
        """The size of each file the manifest records for `job`'s spec, keyed by `file_key(seed,
        fmt)`, later lines over earlier ones. Read line by line, keeping only these numbers, so
        that a manifest of a million levels fits in memory; a line that cannot be read is skipped
        (with one warning) and its level is then built again."""
        wanted, sizes, unreadable = job.stored_spec(), {}, list[int]()
        for number, record in self._lines(unreadable):
            try:
                written = _ok_record(record)
            except (ValueError, TypeError, KeyError):
                unreadable.append(number)
                continue
            if written is None:
                continue
            seed, spec, files = written
            wanted["seed"] = seed  # one dict compared with each record's, none kept
            for fmt, size in files.items():
                if spec == wanted:
                    sizes[file_key(seed, fmt)] = size
                else:  # that file now holds a level of another spec
                    sizes.pop(file_key(seed, fmt), None)
        self._warn(unreadable)
        return sizes

    def tasks(self, job: Job, seeds: Iterable[int]) -> list[Task]:
        """What is left to build: each seed with the formats whose file is not known to be complete
        (recorded for the same spec, and on disk with the recorded size)."""
        sizes, out = self.sizes(job), str(job.out)
        suffixes = [(fmt, SUFFIXES[fmt]) for fmt in job.formats]
        tasks = []
        for seed in seeds:
            stem = job.stem(seed)
            missing = tuple(
                fmt
                for fmt, suffix in suffixes
                if not _on_disk(os.path.join(out, stem + suffix), sizes.get(file_key(seed, fmt)))
            )
            if missing:
                tasks.append(Task(seed, missing))
        return tasks

    def _lines(self, unreadable: list[int]) -> Iterator[tuple[int, Any]]:
        if not self.path.is_file():
            return
        with self.path.open("rb") as stream:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line.decode("utf-8"))
                except ValueError:  # not UTF-8, not JSON, or a line cut short by a kill
                    unreadable.append(number)

    def _warn(self, lines: list[int]) -> None:
        if not lines or self.warnings is None:
            return
        shown = ", ".join(map(str, lines[:10])) + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")
        self.warnings.write(
            f"warning: {self.path}: skipped line{'s' if len(lines) > 1 else ''} {shown} that cannot be read; "
            "levels they recorded are built again\n"
        )


def file_key(seed: int, fmt: str) -> int:
    """One int for (seed, format): smaller in memory than a tuple, for a million seeds."""
    return seed * len(FORMATS) + _FORMAT_INDEX[fmt]


def _ok_record(record: Any) -> tuple[int, dict[str, Any], dict[str, int]] | None:
    """Seed, spec and file sizes of a record of a level built; None for a failed level's
    record; ValueError, TypeError or KeyError for one that is not a record."""
    if not isinstance(record, dict):
        raise TypeError("not a record")
    if record.get("status") != "ok":
        return None
    seed, spec, files = record["seed"], record["spec"], record["files"]
    if not (_is_int(seed) and isinstance(spec, dict) and isinstance(files, dict)):
        raise TypeError("not a record")
    sizes = {fmt: entry["bytes"] for fmt, entry in files.items() if fmt in _FORMAT_INDEX}
    if not all(_is_int(size) for size in sizes.values()):
        raise TypeError("not a record")
    if not RENAMED_FIELDS.keys().isdisjoint(spec):  # a record from before a field was renamed
        spec = with_current_names(spec)
    return seed, spec, sizes


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _on_disk(path: str, size: int | None) -> bool:
    if size is None:
        return False
    try:
        found = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(found.st_mode) and found.st_size == size


@dataclass
class ProgressReport:
    """A progress bar on a terminal, one plain line per level (or frame) otherwise (logs, CI, schedulers)."""

    total: int
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    done: int = 0
    failed: int = 0
    started: float = field(default_factory=time.perf_counter)
    unit: str = "level"

    def update(self, record: dict[str, Any]) -> None:
        self.done += 1
        self.failed += record["status"] != "ok"
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed * 60 if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate * 60 if rate > 0 else 0.0
        if self.stream.isatty():
            filled = round(30 * self.done / max(self.total, 1))
            bar = "#" * filled + "." * (30 - filled)
            self.stream.write(
                f"\r[{bar}] {self.done}/{self.total} {self.unit}s, {self.failed} failed, "
                f"{rate:.1f} {self.unit}s/min, {_duration(left)} left "
            )
            if self.done == self.total:
                self.stream.write("\n")
        else:
            status = "ok" if record["status"] == "ok" else f"FAILED: {record.get('error', '')}"
            seconds = record.get("timings", {}).get("total", 0.0)
            what = f"seed {record['seed']}" if "seed" in record else f"frame {record.get('frame')}"
            self.stream.write(f"{self.unit} {self.done}/{self.total} {what}: {status} ({seconds:.1f} s)\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    """'42 s', '3 min 5 s', '2 h 10 min'."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"
