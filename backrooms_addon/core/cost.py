"""What a level will cost before it is built: faces, troffers, lamps, memory and seconds, also per output format.

The rooms' share is worked out here; each of the level's features adds its own (core/features.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InvalidSpecError
from .registry import level_features
from .spec import MEMORY_LIMIT_BYTES, LevelSpec
from .styles import style_of

# Wall faces per cell at density 0 and what a density of 1 adds, measured over many seeds of the
# default algorithm (tests keep the estimate within a factor of 1.5 of the real count).
WALL_FACES_PER_CELL = (0.56, 0.95)
FACES_PER_TROFFER = 5
BANDLESS_SHARE = 0.55
SMALL_ROOM_SHARE = 0.7
_DEFAULT_ROOM_MAX = LevelSpec().room_max
SLOW_FACES = 2_000_000
SLOW_BYTES = 2 << 30
SLOW_SECONDS = 60.0  # past this the panel and the command line warn


@dataclass(frozen=True)
class Cost:
    """Estimated size of a level."""

    faces: int
    troffers: int
    lamps: int
    memory_bytes: int
    seconds: float = 0.0  # building it in Blender (Generate), not counting exports or renders

    @property
    def built_faces(self) -> int:
        """The faces Blender holds as geometry: the troffers are instanced, not copied."""
        return self.faces - FACES_PER_TROFFER * self.troffers

    @property
    def slow(self) -> bool:
        """Big enough that building and rendering it will take a while."""
        return self.faces > SLOW_FACES or self.memory_bytes > SLOW_BYTES

    @property
    def over_a_minute(self) -> bool:
        return self.seconds > SLOW_SECONDS

    @property
    def duration(self) -> str:
        """How long Generate takes, in words."""
        return describe_seconds(self.seconds)

    def summary(self) -> str:
        return (
            f"about {self.faces:,} faces, {self.troffers:,} troffers, {self.lamps} lamps, "
            f"{self.memory_bytes / 2**20:,.0f} MiB"
        )


def estimate_cost(spec: LevelSpec) -> Cost:
    cells = spec.width * spec.depth
    base, per_density = WALL_FACES_PER_CELL
    ox, oy = spec.origin
    # Grid positions: world cells whose coordinates are both multiples of the style's spacing.
    style = style_of(spec.style)
    spacing = style.fixture_spacing
    along_x = -(-(ox + spec.width) // spacing) - -(-ox // spacing)
    along_y = -(-(oy + spec.depth) // spacing) - -(-oy // spacing)
    troffers = round(along_x * along_y * spec.fixture_density) * spec.floors if style.ceiling else 0
    lit = round(troffers * (1 - spec.dead_fraction))
    # Without a baseboard band every wall run is one face instead of two.
    bands = 1.0 if spec.baseboard_height > 0 else BANDLESS_SHARE
    # Rooms smaller than the default's make more walls per cell.
    small_rooms = 1.0 + SMALL_ROOM_SHARE * max(0, _DEFAULT_ROOM_MAX - spec.room_max) / _DEFAULT_ROOM_MAX
    faces = cells * (base + per_density * spec.density) * spec.floors * bands * small_rooms
    for feature in level_features(spec):
        faces += feature.faces(spec)
    faces = round(faces) + FACES_PER_TROFFER * troffers
    seconds = STEPS["level"].seconds_for(faces)
    return Cost(faces, troffers, min(spec.light_budget, lit), spec.memory_estimate_bytes, seconds)


@dataclass(frozen=True)
class Step:
    """What one step of a command-line run adds to its memory and its time: a fixed part, a part
    per face of the level, and for the render a part per pixel and per pixel and sample."""

    bytes: float = 0.0
    bytes_per_face: float = 0.0
    bytes_per_pixel: float = 0.0
    seconds: float = 0.0
    seconds_per_face: float = 0.0
    seconds_per_face_squared: float = 0.0  # the glTF exporter slows down as levels grow
    seconds_per_pixel: float = 0.0  # denoising
    seconds_per_sample: float = 0.0  # per pixel and sample

    def bytes_for(self, faces: int, pixels: int = 0) -> float:
        return self.bytes + self.bytes_per_face * faces + self.bytes_per_pixel * pixels

    def seconds_for(self, faces: int, pixels: int = 0, samples: int = 0) -> float:
        per_face = self.seconds_per_face * faces + self.seconds_per_face_squared * faces * faces
        idle = self.seconds + per_face + pixels * (self.seconds_per_pixel + self.seconds_per_sample * samples)
        return idle * BUSY_FACTOR


# Fitted to benchmarks/bench_estimate.py on the development machine (2 shared cores, Blender 5.0):
# peak resident memory and wall time of `python -m backrooms_addon generate` per format at 32 to
# 1000 cells square (the table is in the README). "python" and "plan" are a run without Blender
# (json alone); "blender" is importing bpy and a new file, "level" building the level in it (also
# what the panel's Generate costs); each format is its writer's share beyond those.
MIB = 1 << 20
STEPS: dict[str, Step] = {
    "python": Step(bytes=40 * MIB, seconds=0.2),
    "plan": Step(bytes_per_face=320, seconds_per_face=0.8e-6),
    "blender": Step(bytes=290 * MIB, seconds=0.5),
    "level": Step(bytes_per_face=430, seconds=0.45, seconds_per_face=1.4e-6),
    "json": Step(bytes_per_face=100, seconds_per_face=0.15e-6),
    "blend": Step(bytes_per_face=50, seconds_per_face=0.7e-6),
    # 1000 x 1000 cells (2.15 M faces): 4.2 GiB and 26 s, six times 500 x 500's for four times the faces.
    "glb": Step(bytes=60 * MIB, bytes_per_face=1450, seconds_per_face=4.5e-6, seconds_per_face_squared=3.5e-12),
    "usd": Step(bytes_per_face=450, seconds_per_face=2.0e-6),
    # Cycles' kernels and scene, its BVH per face, and its buffers and denoiser per pixel.
    "png": Step(
        bytes=90 * MIB,
        bytes_per_face=870,
        bytes_per_pixel=750,
        seconds=0.7,
        seconds_per_face=4e-6,
        seconds_per_pixel=2e-6,
        # 800 x 450 at 16 samples: 22.6 s, 400 x 225: 6.5 s, the machine otherwise idle.
        seconds_per_sample=3.6e-6,
    ),
    # EEVEE with software GL (no GPU here): setting up GL and compiling its shaders is most of a
    # small render, and most of its memory. Fitted to command-line runs with one other render
    # sharing the 2 cores: 32 x 32 cells at 64 x 36 and 1 sample, 5.4 s and 1.4 GiB at the peak;
    # 250 x 250 cells, 15.0 s; 480 x 270 at 16 samples, 21.9 s.
    "png_eevee": Step(
        bytes=1150 * MIB,
        bytes_per_face=550,
        bytes_per_pixel=400,
        seconds=5.4,
        seconds_per_face=7e-5,
        seconds_per_pixel=1e-5,
        seconds_per_sample=6.5e-6,
    ),
}
# Formats are written one after another, but not all their memory is given back before the next
# (a run of blend, glb, json, usd and png peaked at the largest format alone plus a fifth of the
# others).
RETAINED_SHARE = 0.2
# The seconds above are from the machine with little else running; shared with other work, runs
# took one and a half to three times as long. Estimates sit between the two.
BUSY_FACTOR = 1.5


@dataclass(frozen=True)
class RunCost:
    """Estimated peak memory and wall time of one command-line run writing `formats`."""

    faces: int
    peak_memory_bytes: int
    seconds: float
    formats: tuple[str, ...]

    @property
    def over_a_minute(self) -> bool:
        return self.seconds > SLOW_SECONDS

    def to_dict(self) -> dict[str, object]:
        return {
            "faces": self.faces,
            "peak_memory_bytes": self.peak_memory_bytes,
            "seconds": round(self.seconds, 1),
            "formats": list(self.formats),
        }

    def warning(self) -> str:
        """One line saying how long it will take, for a run over a minute."""
        return f"about {describe_seconds(self.seconds)} to build and write {', '.join(self.formats)}"


def estimate_run(
    spec: LevelSpec,
    formats: Iterable[str],
    resolution: tuple[int, int] = (800, 450),
    samples: int = 16,
    started: bool = False,
    engine: str = "cycles",
) -> RunCost:
    """Peak memory and seconds of building `spec` and writing `formats` (the png rendered by
    `engine` at `resolution` with `samples`); `started`: the process (Blender included) is
    already running, as in a batch worker after its first level."""
    outputs = tuple(formats)
    faces = estimate_cost(spec).faces
    pixels = resolution[0] * resolution[1] if "png" in outputs else 0
    # The json alone needs no Blender: the plan is what it writes.
    start, build, writers = ("python", "plan", ()) if outputs == ("json",) else ("blender", "level", outputs)
    extras = [_step(fmt, engine).bytes_for(faces, pixels) for fmt in writers]
    memory = STEPS[start].bytes + STEPS[build].bytes_for(faces)
    if extras:
        memory += max(extras) + RETAINED_SHARE * (sum(extras) - max(extras))
    steps = [build, *writers] if started else [start, build, *writers]
    seconds = sum(_step(name, engine).seconds_for(faces, pixels, samples) for name in steps)
    return RunCost(faces, round(memory), seconds, outputs)


def _step(name: str, engine: str) -> Step:
    """A step of the run; the png's depends on the engine that renders it."""
    return STEPS["png_eevee"] if name == "png" and engine == "eevee" else STEPS[name]


def estimate_batch(
    spec: LevelSpec,
    formats: Iterable[str],
    levels: int,
    jobs: int = 1,
    resolution: tuple[int, int] = (800, 450),
    samples: int = 16,
    cores: int = 2,
    engine: str = "cycles",
) -> dict[str, object]:
    """A batch of `levels` levels like `spec` (the estimate does not depend on the seed): each
    level in a running worker, and the whole run with every worker's start.

    Workers share the cores: exports gain from as many workers as cores, renders from none
    (Cycles, and EEVEE's software GL, already use every core)."""
    outputs = tuple(formats)
    each = estimate_run(spec, outputs, resolution, samples, started=True, engine=engine)
    start = STEPS["python" if outputs == ("json",) else "blender"].seconds_for(0)
    workers = max(1, min(jobs, levels))
    parallel = 1 if "png" in outputs else min(workers, cores)
    return {
        "per_level": each.to_dict(),
        "levels": levels,
        "total": {
            "faces": each.faces * levels,
            "peak_memory_bytes": each.peak_memory_bytes * workers,  # each worker holds one level
            "seconds": round((start * workers + each.seconds * levels) / parallel, 1),
        },
    }


def check_run(spec: LevelSpec, cost: RunCost) -> None:
    """Refuse a run whose estimated peak memory is over the limit, naming the width."""
    if cost.peak_memory_bytes <= MEMORY_LIMIT_BYTES:
        return
    raise InvalidSpecError(
        "width",
        f"a {spec.width} x {spec.depth} cell level of {spec.floors} floor(s) written as {','.join(cost.formats)} "
        f"would need about {cost.peak_memory_bytes / (1 << 30):.1f} GiB of memory, more than the "
        f"{MEMORY_LIMIT_BYTES / (1 << 30):.0f} GiB one level may use; write fewer formats or generate the "
        "area as several regions (the world is seamless across origins)",
    )


def describe_seconds(seconds: float) -> str:
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
