"""LevelPlan: everything the core decides about a level, as plain data and numpy arrays."""

from __future__ import annotations

import itertools
import math
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .algorithms.grid import BoolArray
from .features import EYE_HEIGHT, Feature, Features, Placed, Source, Spawn, Story
from .fixtures import DEAD, FLICKER_PHASES, SODIUM, STEADY, Fixtures, place_fixtures
from .floors import floor_height, floor_spec, lifted
from .geometry import (
    WALL_MATERIALS,
    MeshArrays,
    Pieces,
    WallStyle,
    ceiling_mesh,
    concat_meshes,
    floor_mesh,
    quad_faces,
    quad_mesh,
    read_only,
    wall_bands,
    wall_mesh,
)
from .joins import joined, opened
from .layout import Layout
from .lightmap import with_lightmap
from .registry import floor_features, level_features
from .spec import LevelSpec
from .styles import Style, style_of
from .troffer import FIXTURE_MATERIALS, default_template, fixture_mesh, variant_mesh
from .version import GENERATOR_VERSION, LAYOUT_FORMAT_VERSION
from .world import Window

TROFFER_SIZE = (0.6, 1.2)  # metres, x by y
Troffer = MeshArrays | Callable[[], MeshArrays] | None  # a fixture model, or how to get it (plan_level)
STRIP_SIZE = (0.16, 1.5)  # metres: the narrow tube fittings of Level 1
FIXTURE_SIZES = {"strip": STRIP_SIZE, "bulkhead": (0.32, 0.32)}  # a style's fixture other than a troffer
_STATE_NAMES = {STEADY: "steady", DEAD: "dead", SODIUM: "sodium"}
FIXTURES = "fixtures"  # the kind of mesh that holds the troffers
# Faces finished at a time (PlanMeshes.finished): small enough that Blender receives the first
# block soon and the lightmap's working arrays stay small, large enough for numpy to be efficient.
BLOCK_FACES = 100_000
RUN_LONGEST = 8  # troffers in one run's model at most (in_runs): a variant per state and length
RUN_TOLERANCE = 1e-6  # metres: how near `step` apart two troffers of a run stand


@dataclass(frozen=True)
class FloorFixtures:
    """One floor's troffers, as the plan places them: what its fixture copies are made of."""

    spec: LevelSpec  # the floor's own spec (its style, cell size, wall height)
    placed: Fixtures  # centres in the floor's frame, and states
    base: float  # the floor's height
    pieces: Pieces  # the floor's own pieces


@dataclass(frozen=True)
class Variant:
    """One model as a level instances it: a troffer in a fixture state on floors of one size and
    style, or a piece of furniture in one turn."""

    state: int  # STEADY, DEAD, FLICKER + phase or SODIUM (0 for what is not a fixture)
    mesh: MeshArrays  # at the origin (a troffer hangs from z = 0); materials as the level styles them
    label: str = ""  # its name in Blender; a troffer's is made from its size and state
    source: Source | None = None  # the template model it is made from (furniture.blend's), if any
    run: int = 1  # how many models it holds, side by side along x (a run of troffers: in_runs)


@dataclass(frozen=True)
class FixtureInstances:
    """An instanced kind of a level (its troffers, its furniture) as instances of a few variants:
    where each one stands or hangs, its piece."""

    positions: npt.NDArray[np.float64]  # (k, 3) each one's origin (a troffer's meets the ceiling), level frame
    pieces: npt.NDArray[np.int32]  # (k,) the level's piece of each
    variants: npt.NDArray[np.int32]  # (k,) index into `kinds`
    states: npt.NDArray[np.int8]  # (k,) the fixture state of each (0 for what is not a fixture)
    kinds: tuple[Variant, ...]


class Copies(Protocol):
    """An instanced kind before it is copied: instanced in Blender, built as one mesh (with its
    lightmap) only for what needs the faces themselves (a game export, collision, a test)."""

    @property
    def face_count(self) -> int: ...

    def build(self) -> MeshArrays: ...

    def instances(self) -> FixtureInstances: ...

    def instanced(self) -> FixtureInstances: ...


@dataclass(frozen=True)
class FixtureCopies:
    """A level's troffers before they are copied: the floors' fixtures and the model.

    A level holds tens of thousands of troffers (a third of a big level's faces), all copies of one
    five-quad model. Blender instances them (a mesh per fixture state and run length, see
    instanced()); the copies as one mesh, with their lightmap, are only built for what needs the
    faces themselves (a game export, a test): build() gives exactly the mesh plan_level used to
    hold.
    """

    floors: tuple[FloorFixtures, ...]
    spec: LevelSpec  # the level's
    pieces: Pieces  # the level's
    # The model to copy, or a function giving it (called when the copies are first read); None:
    # each floor's default_template.
    troffer: Troffer

    def template(self, floor: FloorFixtures) -> MeshArrays:
        model = self.troffer() if callable(self.troffer) else self.troffer
        return model or default_template(troffer_size(floor.spec))

    @property
    def face_count(self) -> int:
        return sum(len(floor.placed.centres) * self.template(floor).face_count for floor in self.floors)

    def build(self) -> MeshArrays:
        """Every copy, each floor's restyled and lifted, on the level's pieces, with a lightmap."""
        parts = []
        for floor in self.floors:
            size = troffer_size(floor.spec)
            mesh = fixture_mesh(floor.placed, self.template(floor), size, floor.pieces, floor.spec.cell_size)
            moved = lifted(restyled(mesh, style_of(floor.spec.style)), floor.base)
            parts.append(on_pieces(moved, self.pieces, floor.spec, self.spec))
        return with_lightmap(concat_styled(parts))

    def instances(self) -> FixtureInstances:
        """The same troffers as instances: one variant per (floor size and style, state)."""
        return self._instances

    def instanced(self) -> FixtureInstances:
        """What Blender instances: the same troffers in runs along the ceiling grid (in_runs),
        a variant per state and run length."""
        return self._instanced

    @cached_property
    def _instanced(self) -> FixtureInstances:
        return in_runs(self._instances, self.run_step)

    @property
    def run_step(self) -> float:
        """How far apart along x troffers join into runs: the lowest troffered floor's grid step.
        Runs join only troffers exactly this far apart, so any spacing is right: a floor of another
        spacing gets runs only where its troffers happen to stand this far apart."""
        ground = self.floors[0].spec
        return style_of(ground.style).fixture_spacing * ground.cell_size

    @cached_property
    def _instances(self) -> FixtureInstances:
        kinds: dict[tuple[Any, ...], int] = {}
        variants: list[Variant] = []
        positions, pieces, indices, states = [], [], [], []
        for floor in self.floors:
            size, style = troffer_size(floor.spec), style_of(floor.spec.style)
            template = self.template(floor)
            present = np.unique(floor.placed.states).tolist()
            lookup = np.zeros(max(present, default=0) + 1, np.int32)
            for state in present:
                materials = (style.material(FIXTURE_MATERIALS[0]), style.material(FIXTURE_MATERIALS[1 + state]))
                key = (size, materials, template.vertices.tobytes())
                if key not in kinds:
                    kinds[key] = len(variants)
                    made_from = ("variant", size, materials, *mesh_key(template))
                    made = kept_model(made_from, _lit_variant, template, size, materials)
                    variants.append(Variant(state, made))
                lookup[state] = kinds[key]
            centres = lifted_points(floor.placed.centres, floor.base)
            # A floor of the level's grid puts them in its own pieces, as the copies; another grid
            # in the level's piece under the troffer's middle.
            grid = floor.pieces if floor.spec.cell_size == self.spec.cell_size else self.pieces
            pieces.append(grid.of_points(centres[:, 0], centres[:, 1], self.spec.cell_size))
            positions.append(centres)
            indices.append(lookup[floor.placed.states])
            states.append(floor.placed.states)
        return _instances(positions, pieces, indices, states, variants)


@dataclass(frozen=True)
class FloorPlaced:
    """One floor's copies of an instanced kind (core/features.py Placed) and where the floor is."""

    spec: LevelSpec
    placed: Placed
    base: float
    pieces: Pieces


@dataclass(frozen=True)
class PlacedCopies:
    """A kind that features place as copies of a few models (furniture): instanced like the
    troffers; built as one mesh, each copy in the level's piece under its origin."""

    floors: tuple[FloorPlaced, ...]
    spec: LevelSpec  # the level's
    pieces: Pieces  # the level's

    @property
    def face_count(self) -> int:
        counts = [np.array([mesh.face_count for mesh in f.placed.meshes])[f.placed.models] for f in self.floors]
        return int(sum(count.sum() for count in counts))

    def _floor_pieces(self, floor: FloorPlaced, points: npt.NDArray[np.float64]) -> npt.NDArray[np.int32]:
        grid = floor.pieces if floor.spec.cell_size == self.spec.cell_size else self.pieces
        return grid.of_points(points[:, 0], points[:, 1], self.spec.cell_size).astype(np.int32)

    def build(self) -> MeshArrays:
        parts = []
        for floor in self.floors:
            style = style_of(floor.spec.style)
            points = lifted_points(floor.placed.positions, floor.base)
            pieces = self._floor_pieces(floor, points)
            for model in np.unique(floor.placed.models).tolist():
                chosen = floor.placed.models == model
                parts.append(restyled(_copied(floor.placed.meshes[model], points[chosen], pieces[chosen]), style))
        return with_lightmap(concat_styled(parts))

    def hulls(self) -> MeshArrays:
        """Each copy as its model's bounding box (sides and lid): what a player bumps into, in a
        few faces (a game's collision)."""
        corners, pieces = [], []
        for floor in self.floors:
            points = lifted_points(floor.placed.positions, floor.base)
            bounds = np.array([[m.vertices.min(axis=0), m.vertices.max(axis=0)] for m in floor.placed.meshes])
            boxes = bounds[floor.placed.models].astype(np.float64) + points[:, None, :]  # (k, 2, 3)
            corners.append(_box_sides(boxes))
            pieces.append(np.repeat(self._floor_pieces(floor, points), 5))
        quads = np.concatenate(corners)
        return quad_mesh(quads, quads[:, :, :2], 0, ("collision",), np.concatenate(pieces))

    def document(self) -> list[dict[str, Any]]:
        """Each copy as the layout document lists it: its model and quarter turns, its origin and
        its bounding box (level frame, metres; the box a game's collision gives it)."""
        rows = []
        for floor in self.floors:
            placed = floor.placed
            points = lifted_points(placed.positions, floor.base)
            bounds = np.array([[m.vertices.min(axis=0), m.vertices.max(axis=0)] for m in placed.meshes], np.float64)
            for model, point in zip(placed.models.tolist(), points, strict=True):
                source = placed.sources[model] if placed.sources else None
                box = np.round(bounds[model] + point, 4)
                rows.append(
                    {
                        "model": source.name if source else placed.labels[model],
                        "turn_degrees": 90 * source.turns if source else 0,
                        "position": np.round(point, 4).tolist(),
                        "box": box.tolist(),
                    }
                )
        return rows

    def instances(self) -> FixtureInstances:
        """The same items as instances: one variant per model."""
        return self._instances

    def instanced(self) -> FixtureInstances:
        """What Blender instances: each item on its own (pieces of furniture seldom stand in rows)."""
        return self._instances

    @cached_property
    def _instances(self) -> FixtureInstances:
        kinds: dict[tuple[Any, ...], int] = {}
        variants: list[Variant] = []
        positions, pieces, indices, states = [], [], [], []
        for floor in self.floors:
            style = style_of(floor.spec.style)
            lookup = np.zeros(len(floor.placed.meshes), np.int32)
            for model in np.unique(floor.placed.models).tolist():
                mesh = restyled(floor.placed.meshes[model], style)
                key = (mesh.materials, mesh.vertices.tobytes())
                if key not in kinds:
                    kinds[key] = len(variants)
                    source = floor.placed.sources[model] if floor.placed.sources else None
                    made = kept_model(("placed", *mesh_key(mesh)), with_lightmap, mesh)
                    variants.append(Variant(0, made, floor.placed.labels[model], source))
                lookup[model] = kinds[key]
            points = lifted_points(floor.placed.positions, floor.base)
            positions.append(points)
            pieces.append(self._floor_pieces(floor, points))
            indices.append(lookup[floor.placed.models])
            states.append(np.zeros(len(points), np.int8))
        return _instances(positions, pieces, indices, states, variants)


def _box_sides(boxes: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """(k, 5, 4, 3) -> (5k, 4, 3): four sides and a lid of each (lo, hi) box, facing out."""
    (x0, y0, z0), (x1, y1, z1) = boxes[:, 0].T, boxes[:, 1].T
    faces = [
        ((x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)),
        ((x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)),
        ((x1, y1, z0), (x0, y1, z0), (x0, y1, z1), (x1, y1, z1)),
        ((x0, y1, z0), (x0, y0, z0), (x0, y0, z1), (x0, y1, z1)),
        ((x1, y0, z0), (x1, y1, z0), (x1, y1, z1), (x1, y0, z1)),
    ]
    quads = np.array([[np.stack(corner, axis=-1) for corner in face] for face in faces])  # (5, 4, k, 3)
    sides: npt.NDArray[np.float64] = quads.transpose(2, 0, 1, 3).reshape(-1, 4, 3)
    return sides


def _copied(model: MeshArrays, at: npt.NDArray[np.float64], pieces: npt.NDArray[np.int32]) -> MeshArrays:
    """Copies of a model, one at each point, each copy's faces in its piece."""
    count = len(at)
    vertices = (model.vertices[None].astype(np.float64) + at[:, None]).reshape(-1, 3).astype(np.float32)
    faces = (model.faces[None] + (np.arange(count) * len(model.vertices))[:, None, None]).reshape(-1, 4)
    return MeshArrays(
        vertices,
        faces.astype(np.int32),
        np.tile(model.uvs, (count, 1)),
        np.tile(model.material_indices, count),
        model.materials,
        np.repeat(pieces, model.face_count).astype(np.int32),
    )


def _instances(
    positions: list[npt.NDArray[np.float64]],
    pieces: list[npt.NDArray[np.int32]],
    indices: list[npt.NDArray[np.int32]],
    states: list[npt.NDArray[np.int8]],
    variants: list[Variant],
) -> FixtureInstances:
    return FixtureInstances(
        np.concatenate(positions),
        np.concatenate(pieces).astype(np.int32),
        np.concatenate(indices).astype(np.int32),
        np.concatenate(states).astype(np.int8),
        tuple(variants),
    )


def in_runs(found: FixtureInstances, step: float, longest: int = RUN_LONGEST) -> FixtureInstances:
    """The same instances as runs: each instance of one variant, piece, y and z that stands
    exactly `step` along x from the one before it (in their order: place_fixtures lays a floor's
    troffers row by row, west to east) joins that one's run; a run becomes one instance (at its
    first) of a variant holding that many copies of the model side by side, up to `longest` (a
    longer run is cut). Cycles syncs every instance on its own and builds its top-level BVH over
    them: a big level's troffers, on the ceiling grid in runs of a few, otherwise cost its first
    frame more than its walls do."""
    count = len(found.positions)
    if count < 2:
        return found
    x, y, z = found.positions.T
    joined = np.abs(np.diff(x) - step) <= RUN_TOLERANCE
    for values in (y, z, found.variants, found.pieces):
        joined &= values[1:] == values[:-1]
    starts = np.flatnonzero(np.concatenate([[True], ~joined]))
    lengths = np.diff(np.append(starts, count))
    place = np.arange(count) - np.repeat(starts, lengths)  # each instance's place in its run
    first = np.flatnonzero(place % longest == 0)  # the first of each run as cut
    run = np.minimum(np.repeat(lengths, lengths)[first] - place[first], longest)
    key = found.variants[first].astype(np.int64) * (longest + 1) + run
    present = np.flatnonzero(np.bincount(key))  # each (variant, length) used, in order
    number = np.zeros(len(present) and int(present[-1]) + 1, np.int32)
    number[present] = np.arange(len(present))
    kinds = tuple(_run_of(found.kinds[k // (longest + 1)], k % (longest + 1), step) for k in present.tolist())
    return FixtureInstances(found.positions[first], found.pieces[first], number[key], found.states[first], kinds)


def _run_of(kind: Variant, count: int, step: float) -> Variant:
    """`count` copies of a variant's model side by side, `step` apart along x (itself for one);
    copy i's lightmap is the model's squeezed into the i-th of `count` columns of the square."""
    if count == 1:
        return kind
    mesh = kept_model(("run", count, step, *mesh_key(kind.mesh)), _run_mesh, kind.mesh, count, step)
    return replace(kind, mesh=mesh, run=count)


def _run_mesh(model: MeshArrays, count: int, step: float) -> MeshArrays:
    offsets = np.zeros((count, 3), np.float64)
    offsets[:, 0] = np.arange(count) * step
    mesh = _copied(model, offsets, np.zeros(count, np.int32))
    if model.lightmap is not None:
        columns = np.zeros((count, 1, 2), np.float64)
        columns[:, 0, 0] = np.arange(count)
        squeezed = model.lightmap.astype(np.float64) * np.array([1 / count, 1.0])
        mesh = replace(mesh, lightmap=(squeezed[None] + columns / count).reshape(-1, 2).astype(np.float32))
    return mesh


MODELS_KEPT = 256  # instanced models kept_model holds at most
_kept_models: dict[tuple[object, ...], MeshArrays] = {}


def kept_model(key: tuple[object, ...], make: Callable[..., MeshArrays], *made_from: Any) -> MeshArrays:
    """make(*made_from), kept by `key` (all it is made from, mesh_key for a mesh) as a read-only
    copy: the next level's troffers and furniture are the same few models, and their lightmaps
    cost a plan more than their faces suggest. Safe from any thread."""
    found = _kept_models.get(key)
    if found is None:
        found = read_only(make(*made_from))
        if len(_kept_models) >= MODELS_KEPT:
            _kept_models.clear()
        _kept_models[key] = found
    return found


def _lit_variant(template: MeshArrays, size: tuple[float, float], materials: tuple[str, str]) -> MeshArrays:
    return with_lightmap(variant_mesh(template, size, materials))


def mesh_key(mesh: MeshArrays) -> tuple[object, ...]:
    """Everything a mesh is, as a hashable key."""
    arrays = (mesh.vertices, mesh.faces, mesh.uvs, mesh.material_indices, mesh.pieces, mesh.lightmap)
    return (mesh.materials, *(None if a is None else (a.dtype.str, a.shape, a.tobytes()) for a in arrays))


class PlanMeshes(Mapping[str, MeshArrays]):
    """A plan's meshes by kind, in the plan's order, each finished (its floors' parts joined, its
    faces put in piece order and given a lightmap) when first read, and kept (unless a streaming
    reader lets its blocks go: see finished).

    finished() gives a kind a block of whole pieces at a time, so that Blender uploads one block
    while a worker thread finishes the next, and the lightmap's working arrays stay a block's size;
    reading a kind whole joins its blocks. The instanced kinds (the fixture copies, FixtureCopies;
    furniture, PlacedCopies) are built when read, though Blender never reads them: it instances
    them. Safe to read from several threads.
    """

    def __init__(
        self,
        built: Mapping[str, MeshArrays],
        copies: FixtureCopies | None = None,
        order: tuple[str, ...] = (),
        parts: Mapping[str, list[MeshArrays]] | None = None,
        placed: Mapping[str, Copies] | None = None,
        again: Callable[[], PlanMeshes] | None = None,
        streams: Mapping[str, BandStream] | None = None,
    ):
        self._built = dict(built)
        self._parts = dict(parts or {})
        self._streams = dict(streams or {})  # kinds arriving from a worker, a band at a time
        self._read: set[str] = set()  # the streams read (once each)
        self._blocks: dict[str, list[MeshArrays]] = {}
        # The same meshes planned anew, for a kind whose blocks were let go (finished, keep=False).
        self._again = again
        self._again_lock = threading.Lock()
        self._replanned: PlanMeshes | None = None
        # What a reader asks before a kind is finished, known from the start: the parts go as soon
        # as they are joined.
        self._sizes = {kind: _sizes(found) for kind, found in self._parts.items()}
        self.copies = copies
        self._copies: dict[str, Copies] = {**({} if copies is None else {FIXTURES: copies}), **(placed or {})}
        self._order = order or (*built, *self._parts, *self._streams)
        self._locks = {kind: threading.Lock() for kind in self._order}

    def __getitem__(self, kind: str) -> MeshArrays:
        found = self._built.get(kind)
        if found is not None:
            return found
        if kind in self._copies:
            with self._locks[kind]:
                if kind not in self._built:
                    self._built[kind] = self._copies[kind].build()
            return self._built[kind]
        if kind not in self._order:
            raise KeyError(kind)
        blocks = list(self.finished(kind))
        with self._locks[kind]:
            if kind not in self._built:
                self._built[kind] = blocks[0] if len(blocks) == 1 else joined_blocks(blocks)
        return self._built[kind]

    def finished(self, kind: str, block_faces: int = BLOCK_FACES, keep: bool = True) -> Iterator[MeshArrays]:
        """The kind finished a block of whole pieces at a time (about `block_faces` faces each;
        streamed walls: see reblocked; walls from the walls' process: as it made them, of
        BLOCK_FACES), in piece order; a second reader waits for the first and gets the same blocks.

        keep=False: the blocks are not kept (nor the kind's parts once its last block is made), so
        a reader that streams them, such as Blender's upload, holds one at a time; a later reader
        gets the same blocks from the level planned anew (deterministic: the same meshes)."""
        found = self._built.get(kind)
        if found is not None:
            yield found
            return
        with self._locks[kind]:
            done = self._blocks.get(kind)
            if done is None and (kind in self._parts or (kind in self._streams and kind not in self._read)):
                done = []
                ready = kind in self._streams and self._streams[kind].finished  # by walls_process
                for block in self._blocks_of(kind, block_faces):
                    finished = block if ready else with_lightmap(block)
                    if keep:
                        done.append(finished)
                    yield finished
                if keep:
                    self._blocks[kind] = done
                return
        if done is None:
            yield from self._planned_again().finished(kind, block_faces)
            return
        yield from done

    def _blocks_of(self, kind: str, block_faces: int) -> Iterator[MeshArrays]:
        """The kind's blocks before their lightmap: cut from its parts, or as its bands arrive."""
        if kind in self._streams:
            self._read.add(kind)
            stream = self._streams[kind]
            if stream.finished:
                return stream.bands()
            return reblocked(stream.bands(), block_faces, replace(_COPIED_LATER, materials=stream.materials))
        parts = self._parts.pop(kind)
        return piece_blocks(parts[0] if len(parts) == 1 else concat_styled(parts), block_faces)

    def _planned_again(self) -> PlanMeshes:
        """The meshes planned anew, once (two readers share it), for the kinds whose blocks were let go."""
        if self._again is None:
            raise RuntimeError("a kind's blocks were let go and this plan cannot plan them again")
        with self._again_lock:
            if self._replanned is None:
                self._replanned = self._again()
        return self._replanned

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, kind: object) -> bool:
        return kind in self._order

    def materials(self, kind: str) -> tuple[str, ...]:
        """The material names of one kind, known before it is finished."""
        if kind in self._streams:
            return self._streams[kind].materials
        return self._sizes[kind].materials if kind in self._sizes else self[kind].materials

    def size_known(self, kind: str) -> bool:
        """Whether the kind's faces and pieces are known now, without waiting for a worker."""
        return kind not in self._streams or self._streams[kind].done

    def piece_count(self, kind: str) -> int:
        """How many pieces one kind has faces in, known before it is finished."""
        self._sized(kind)
        return self._sizes[kind].pieces if kind in self._sizes else _sizes([self[kind]]).pieces

    def kinds_built(self) -> list[str]:
        """The kinds Blender holds as geometry (not the instanced ones), in the order it receives
        them: the plan's, but those still arriving (a one-floor level's walls) after the rest, so
        that Blender makes the others while they are made."""
        built = [kind for kind in self._order if kind not in self.instanced]
        return sorted(built, key=lambda kind: kind in self._streams)

    @property
    def instanced(self) -> frozenset[str]:
        """The kinds Blender holds as instances, not as copied geometry."""
        return frozenset(self._copies)

    def copies_of(self, kind: str) -> Copies:
        """An instanced kind before it is copied."""
        return self._copies[kind]

    def face_count(self, kind: str) -> int:
        """Faces of one kind, counted without finishing it (or building the copies of an instanced kind)."""
        if kind in self._copies and kind not in self._built:
            return self._copies[kind].face_count
        self._sized(kind)
        return self._sizes[kind].faces if kind in self._sizes else self[kind].face_count

    def _sized(self, kind: str) -> None:
        """A kind still arriving gets its sizes once all of it has (waiting for that, not reading it)."""
        stream = self._streams.get(kind)
        if stream is not None and kind not in self._sizes:
            self._sizes[kind] = stream.sizes()

    def replacing(self, kind: str, mesh: MeshArrays) -> PlanMeshes:
        """The same meshes with `kind` replaced (the others still finished only when read)."""
        order = self._order if kind in self._order else (*self._order, kind)
        unfinished = [name for name in self._parts if name != kind]
        finished = {name: self[name] for name in self._order if name not in (kind, *unfinished, *self.instanced)}
        parts = {name: list(self._parts[name]) for name in unfinished}
        placed = {name: copies for name, copies in self._copies.items() if name not in (FIXTURES, kind)}
        return PlanMeshes({**finished, kind: mesh}, self.copies, order, parts, placed, self._replaced_again(kind, mesh))

    def _replaced_again(self, kind: str, mesh: MeshArrays) -> Callable[[], PlanMeshes] | None:
        """How the replaced meshes are planned again: these planned again, with `kind` replaced."""
        again = self._again
        return None if again is None else lambda: again().replacing(kind, mesh)


@dataclass(frozen=True)
class FloorPlan:
    """One floor of a level: its own spec (seed), its layout as built, its openings, its height."""

    spec: LevelSpec
    layout: Layout  # with the perimeter and its joins when the level has one
    floor_holes: BoolArray  # (depth, width): pools, pitfalls, stair openings from below
    ceiling_holes: BoolArray  # (depth, width): stair openings, pitfalls of the floor above
    base_z: float
    # (n, 3) [i, j, bits]: walls and pillars the built layout drops from the world's (core/joins.py)
    joins: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 3), np.int64))
    # (depth, width): cells something stands on (crates, the foot of a stair), not to walk through
    occupied: BoolArray | None = None
    # Named cells features record for later readers: `shaft`, the descent shaft's cells
    marks: dict[str, BoolArray] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.spec.seed,
            "style": self.spec.style,
            "cell_size": self.spec.cell_size,
            "width": self.spec.width,
            "depth": self.spec.depth,
            "origin": list(self.spec.origin),
            "wall_height": self.spec.wall_height,
            "z": self.base_z,
            "layout_sha256": self.layout.digest(),
            "floor_holes": np.argwhere(self.floor_holes)[:, ::-1].tolist(),
            "ceiling_holes": np.argwhere(self.ceiling_holes)[:, ::-1].tolist(),
            "joins": self.joins.tolist(),
            "marks": {name: np.argwhere(cells)[:, ::-1].tolist() for name, cells in self.marks.items()},
        }


@dataclass(frozen=True)
class LevelPlan:
    """The finished, Blender-free description of a level."""

    spec: LevelSpec
    layout: Layout
    meshes: PlanMeshes  # by kind; the fixture copies built when read (FixtureCopies)
    fixtures: npt.NDArray[np.float64]  # (k, 3) centres of the troffer diffusers, metres
    lamps: npt.NDArray[np.float64]  # (j, 3) the lit fixtures that get a real light, j <= light_budget
    spawn: Spawn
    pieces: Pieces
    fixture_states: npt.NDArray[np.int8]  # (k,) STEADY, DEAD or FLICKER + phase (core/fixtures.py)
    lamp_states: npt.NDArray[np.int8]  # (j,) the same for the lamps
    floors: tuple[FloorPlan, ...] = ()  # every floor, the ground floor first
    generator_version: int = GENERATOR_VERSION

    @property
    def size_m(self) -> tuple[float, float]:
        return (self.spec.width * self.spec.cell_size, self.spec.depth * self.spec.cell_size)

    def face_count(self) -> int:
        """Faces of the level's meshes, every troffer copied: what a game export or a mesh export
        holds, and the layout document's `face_count`. Blender holds fewer: see uploaded_face_count."""
        return sum(self.meshes.face_count(kind) for kind in self.meshes)

    def uploaded_face_count(self) -> int:
        """Faces Blender holds as mesh data: the troffers are instances of one mesh per variant
        (a troffer's state and run length, see in_runs)."""
        instanced = self.meshes.instanced
        faces = sum(self.meshes.face_count(kind) for kind in self.meshes if kind not in instanced)
        for kind in instanced:
            faces += sum(variant.mesh.face_count for variant in self.meshes.copies_of(kind).instanced().kinds)
        return faces

    def to_json(self) -> dict[str, Any]:
        """The layout document (docs/layout-format.md): spec, cells, spawn and fixtures, JSON-ready."""
        spec = self.spec
        return {
            "format": "backrooms-layout",
            "format_version": LAYOUT_FORMAT_VERSION,
            "generator_version": self.generator_version,
            "seed": spec.seed,
            "spec": spec.to_dict(),
            "cell_size": spec.cell_size,
            "origin": list(spec.origin),
            "width": spec.width,
            "depth": spec.depth,
            "chunk_size": spec.chunk_size,
            "layout_sha256": self.layout.digest(),
            "cells": self.layout.cells().tolist(),
            "spawn": {
                "position": list(self.spawn.position),
                "yaw": self.spawn.yaw,
                "sightline_m": self.spawn.sightline_m,
            },
            "fixtures": np.round(self.fixtures, 4).tolist(),
            "fixture_states": [_STATE_NAMES.get(s, "flicker") for s in self.fixture_states.tolist()],
            "lamps": np.round(self.lamps, 4).tolist(),
            "face_count": self.face_count(),
            "floors": [floor.to_json() for floor in self.floors],
            "features": [feature.key for feature in level_features(spec)],
            "placed": self._placed_document(),
        }

    def _placed_document(self) -> dict[str, list[dict[str, Any]]]:
        """The copies features place (furniture), by kind."""
        found = {kind: self.meshes.copies_of(kind) for kind in sorted(self.meshes.instanced)}
        return {kind: copies.document() for kind, copies in found.items() if isinstance(copies, PlacedCopies)}


# Where a one-floor level's walls may come from finished (core/walls_process.py): given the
# level's spec, its ground floor's built layout and the block size, the walls' blocks as
# finished_walls makes them, or None: they are made here.
WallsSource = Callable[[LevelSpec, Layout, int], Iterator[MeshArrays] | None]


def plan_level(spec: LevelSpec, troffer: Troffer = None, walls: WallsSource | None = None) -> LevelPlan:
    """The one pure entry point: spec in, complete plan out.

    troffer: the fixture model to copy over the ceiling (Blender passes the one from
    blend_templates/), or a function giving it, called only when the copies are first read (so
    the model may be loaded while the plan is made); by default the same model, built here.
    walls: where a one-floor level's walls may come from finished (Blender's builds pass the
    walls' process); made here, in a worker thread, when it gives none.
    """
    features = level_features(spec)
    own = [floor_features(spec, floor) for floor in range(spec.floors)]
    stories = [_story(spec, floor, own[floor]) for floor in range(spec.floors)]
    if spec.floors == 1:  # the walls come a row of pieces at a time while the rest is planned
        return _planned(spec, features, stories, own, [_walls_streamed(stories[0], spec, walls)], troffer)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="backrooms-walls") as walls_worker:
        # The walls need only the layout: built beside the features and the fixtures (numpy
        # releases the GIL), a second core's work while a level is planned.
        made = [walls_worker.submit(wall_mesh, s.built, wall_style(s.spec), s.window.pieces) for s in stories]
        return _planned(spec, features, stories, own, [w.result for w in made], troffer)


def _walls_streamed(story: Story, level: LevelSpec, source: WallsSource | None = None) -> BandStream:
    """The ground floor's walls made in a worker thread a row of pieces at a time (_wall_bands),
    or given finished by `source`; the thread ends with them."""
    stream = BandStream(_wall_materials(story.spec))
    remote = None if source is None else source(level, story.built, BLOCK_FACES)
    made: Iterable[MeshArrays] = _wall_bands(level, story.built)
    if remote is not None:
        stream.finished = True
        made = _finished_or_here(remote, level, story.built)
    threading.Thread(target=stream.feed, args=(made,), name="backrooms-walls", daemon=True).start()
    return stream


def _wall_materials(spec: LevelSpec) -> tuple[str, ...]:
    style = style_of(spec.style)
    return tuple(style.material(name) for name in WALL_MATERIALS)  # as restyled names them


def _wall_bands(level: LevelSpec, built: Layout) -> Iterator[MeshArrays]:
    """The ground floor's walls (its built layout's) a row of pieces at a time (core/geometry.py
    wall_bands), restyled and lifted as _planned does a floor's meshes."""
    spec = floor_spec(level, 0)
    style, base = style_of(spec.style), floor_height(level, 0)
    for band in wall_bands(built, wall_style(spec), Window.of(spec).pieces):
        yield lifted(restyled(band, style), base)


def finished_walls(level: LevelSpec, built: Layout, block_faces: int = BLOCK_FACES) -> Iterator[MeshArrays]:
    """A one-floor level's walls as its plan's finished() gives them, a block at a time (in piece
    order, with their lightmaps), from its spec and its ground floor's built layout: what the
    walls' process makes."""
    empty = replace(_COPIED_LATER, materials=_wall_materials(floor_spec(level, 0)))
    for block in reblocked(_wall_bands(level, built), block_faces, empty):
        yield with_lightmap(block)


def _finished_or_here(remote: Iterator[MeshArrays], level: LevelSpec, built: Layout) -> Iterator[MeshArrays]:
    """The blocks `remote` gives; if it fails half way, the rest made here (the same blocks)."""
    given = 0
    try:
        for block in remote:
            given += 1
            yield block
    except Exception:  # busy, failed or gone: what it did not give is made here, the same
        yield from itertools.islice(finished_walls(level, built), given, None)


def _planned(
    spec: LevelSpec,
    features: tuple[Feature, ...],
    stories: list[Story],
    own: list[tuple[Feature, ...]],
    walls: Sequence[Callable[[], MeshArrays] | BandStream],
    troffer: Troffer,
) -> LevelPlan:
    added = _features(spec, features, stories, own)
    streams: dict[str, BandStream] = {}
    pieces = stories[0].window.pieces
    meshes: dict[str, list[MeshArrays]] = {}
    placed_all, floors, fixture_floors = [], [], []
    placed_floors: dict[str, list[FloorPlaced]] = {}
    for floor, (story, found) in enumerate(zip(stories, added, strict=True)):
        style = style_of(story.spec.style)
        placed = place_fixtures(story.spec, _without_ceiling(story.built.solid, found), style)
        base = floor_height(spec, floor)
        source = walls[floor]
        made = None if isinstance(source, BandStream) else source
        for kind, mesh in _story_meshes(story, found, story.window.pieces, made).items():
            meshes.setdefault(kind, [])
            if kind == "walls" and isinstance(source, BandStream):  # still arriving
                streams[kind] = source
                continue
            if kind == FIXTURES:  # copied only when read: see FixtureCopies
                fixture_floors.append(FloorFixtures(story.spec, placed, base, story.window.pieces))
                continue
            moved = lifted(restyled(mesh, style), base)
            meshes[kind].append(on_pieces(moved, pieces, story.spec, spec))
        for kind, items in found.placed.items():  # copied only when read, like the troffers
            meshes.setdefault(kind, [])
            placed_floors.setdefault(kind, []).append(FloorPlaced(story.spec, items, base, story.window.pieces))
        placed_all.append((placed, base))
        no_holes = np.zeros((story.spec.depth, story.spec.width), np.bool_)
        holes = [no_holes if h is None else h for h in (found.floor_holes, found.ceiling_holes)]
        joins = opened(story.layout, story.built)
        occupied = no_holes if found.occupied is None else found.occupied
        floors.append(FloorPlan(story.spec, story.built, holes[0], holes[1], base, joins, occupied, found.marks))
    copies = FixtureCopies(tuple(fixture_floors), spec, pieces, troffer) if fixture_floors else None
    instanced = {kind: PlacedCopies(tuple(parts), spec, pieces) for kind, parts in placed_floors.items()}
    unfinished = {
        kind: parts for kind, parts in meshes.items() if kind not in (FIXTURES, *streams) and kind not in instanced
    }
    again = lambda: plan_level(spec, troffer).meshes  # noqa: E731
    planned = PlanMeshes({}, copies, tuple(meshes), unfinished, instanced, again, streams)
    fixtures = np.concatenate([lifted_points(placed.centres, base) for placed, base in placed_all])
    states = np.concatenate([placed.states for placed, _ in placed_all])
    spawn = _spawn(spec, own[0], stories[0].built, _taken(floors[0]))
    lit = np.nonzero(states != DEAD)[0]
    chosen = lit[nearest(fixtures[lit], spawn.position, spec.light_budget)]
    ground = stories[0].layout
    return LevelPlan(
        spec, ground, planned, fixtures, fixtures[chosen], spawn, pieces, states, states[chosen], tuple(floors)
    )


def _story(level: LevelSpec, floor: int, features: tuple[Feature, ...]) -> Story:
    """One floor before any feature is added: its window onto the world and its layouts."""
    spec = floor_spec(level, floor)
    window = Window.of(spec)
    ground = window.ground
    for feature in features:
        ground = feature.shape(spec, ground)
    for feature in features:
        ground = feature.stack(level, floor, ground)
    layout = window.region(ground)
    stairs = _any_of(feature.stair_ground(spec, ground) for feature in features)
    return Story(spec, window, layout, walled(spec, layout, _blocked(spec, features)), ground, stairs)


def _blocked(spec: LevelSpec, features: tuple[Feature, ...]) -> BoolArray | None:
    """The region's cells some feature may fill with something a player cannot pass."""
    return _any_of(feature.blocks(spec) for feature in features)


def _any_of(masks: Iterable[BoolArray | None]) -> BoolArray | None:
    """The cells any of the features' `masks` names; None when none has a say."""
    found = [cells for cells in masks if cells is not None]
    return np.logical_or.reduce(found) if found else None


def _features(
    spec: LevelSpec, features: tuple[Feature, ...], stories: list[Story], own: list[tuple[Feature, ...]]
) -> list[Features]:
    """What the features add to each floor, in planning order: each sees what came before. A
    floor gets only what its own features (its style's and the level's) add."""
    added = [Features() for _ in stories]
    for feature in features:
        found = feature.plan(spec, stories, added)
        added = [
            before.plus(new) if feature in mine else before for before, new, mine in zip(added, found, own, strict=True)
        ]
    return added


def on_pieces(mesh: MeshArrays, pieces: Pieces, spec: LevelSpec, level: LevelSpec) -> MeshArrays:
    """A floor's mesh on the level's pieces: a floor of another cell size has pieces of its own,
    so each face goes to the level's piece under its middle."""
    if spec.cell_size == level.cell_size or not mesh.face_count:
        return mesh
    middle = mesh.vertices[mesh.faces].astype(np.float64).mean(axis=1)
    return replace(mesh, pieces=pieces.of_points(middle[:, 0], middle[:, 1], level.cell_size))


def concat_styled(meshes: list[MeshArrays]) -> MeshArrays:
    """One mesh from floors' meshes that may name different materials (floors of other styles):
    one list of them all, in the order they first appear."""
    names = concat_styled_names(meshes)
    if names == meshes[0].materials and all(mesh.materials == names for mesh in meshes):
        return concat_meshes(*meshes)
    index = {name: i for i, name in enumerate(names)}
    shared = []
    for mesh in meshes:
        remap = np.array([index[name] for name in mesh.materials], np.int32)
        shared.append(replace(mesh, materials=names, material_indices=remap[mesh.material_indices]))
    return concat_meshes(*shared)


@dataclass(frozen=True)
class _Sizes:
    materials: tuple[str, ...]
    faces: int
    pieces: int  # how many pieces have faces


def _sizes(parts: list[MeshArrays]) -> _Sizes:
    longest = max((int(part.pieces.max(initial=-1)) for part in parts), default=-1) + 1
    counts = sum((np.bincount(part.pieces, minlength=longest) for part in parts), np.zeros(longest, np.int64))
    faces = sum(part.face_count for part in parts)
    return _Sizes(concat_styled_names(parts), faces, int(np.count_nonzero(counts)))


class BandStream:
    """A kind's mesh arriving from a worker thread a band of whole pieces at a time, in piece
    order (a band's pieces all before the next band's): Blender receives the first bands while
    the worker makes the rest. Read once; its sizes are known when the worker is done."""

    def __init__(self, materials: tuple[str, ...]) -> None:
        self.materials = materials
        self.finished = False  # whether the bands are finished blocks already (walls_process)
        self._bands: queue.SimpleQueue[MeshArrays | None] = queue.SimpleQueue()
        self._finished = threading.Event()
        self._faces = self._pieces = 0
        self._error: BaseException | None = None

    def feed(self, bands: Iterable[MeshArrays]) -> None:
        """Make the bands (in the worker) and queue each as it is made."""
        try:
            for band in bands:
                # A finished stream's blocks are what finished() gives: an empty one for no walls.
                if band.face_count or self.finished:
                    self._faces += band.face_count
                    self._pieces += int(np.count_nonzero(np.diff(band.pieces, prepend=-1)))
                    self._bands.put(band)
        except BaseException as error:  # given to the reader, in its thread
            self._error = error
        finally:
            self._finished.set()
            self._bands.put(None)

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    def bands(self) -> Iterator[MeshArrays]:
        """The bands as they arrive."""
        while (band := self._bands.get()) is not None:
            yield band
        if self._error is not None:
            raise self._error

    def sizes(self) -> _Sizes:
        """The kind's materials, faces and pieces, once the worker is done."""
        self._finished.wait()
        if self._error is not None:
            raise self._error
        return _Sizes(self.materials, self._faces, self._pieces)


def reblocked(bands: Iterable[MeshArrays], block_faces: int, empty: MeshArrays) -> Iterator[MeshArrays]:
    """Meshes in piece order, no piece in two of them, as blocks of whole pieces made as they
    arrive (`empty` alone if none does): a band of half a block or more is cut on its own into
    blocks of up to about one and a half `block_faces` (views of it, never copied); smaller
    ones are joined until they make half a block, or until a big band comes (then the few
    before it make a block, however small). A piece's faces are the same whatever block holds
    them; its lightmap too, but for the last bit of a float (packing sums widths over a block)."""
    pending: list[MeshArrays] = []  # small bands since the last block
    since = 0
    made = False
    for band in bands:
        if 2 * band.face_count >= block_faces:
            if pending:
                yield _joined(pending)
                pending, since = [], 0
            yield from _band_blocks(band, block_faces)
            made = True
        elif band.face_count:
            pending.append(band)
            since += band.face_count
            if 2 * since >= block_faces:
                yield _joined(pending)
                pending, since, made = [], 0, True
    if pending:
        yield _joined(pending)
    elif not made:  # no face at all: one empty block, as piece_blocks gives an empty mesh
        yield empty


def _joined(meshes: list[MeshArrays]) -> MeshArrays:
    return meshes[0] if len(meshes) == 1 else concat_meshes(*meshes)


def _band_blocks(band: MeshArrays, block_faces: int) -> Iterator[MeshArrays]:
    """A band cut at piece starts into parts of about equal size, as few as keep each near
    `block_faces` (round(faces / block_faces) of them, at least one)."""
    size = band.face_count / max(1, round(band.face_count / block_faces))
    for first, stop in itertools.pairwise(_piece_cuts(band.pieces, size)):
        yield band.between(first, stop)


def piece_blocks(mesh: MeshArrays, block_faces: int) -> Iterator[MeshArrays]:
    """The mesh's faces in piece order (as by_piece) as blocks of whole pieces of about
    `block_faces` faces each: each block gathered on its own, so the first is ready after a
    block's work, not the whole mesh's."""
    order = mesh.piece_order()
    pieces = mesh.pieces if order is None else mesh.pieces[order]
    for first, stop in itertools.pairwise(_piece_cuts(pieces, block_faces)):
        yield mesh.between(first, stop) if order is None else mesh.taken(order[first:stop])


def _piece_cuts(pieces: npt.NDArray[np.int32], size: float) -> list[int]:
    """Where faces in piece order are cut into runs of whole pieces, each cut at the first piece
    start `size` faces or more after the last: 0, the cuts, and the face count."""
    cuts = [0]
    for start in np.flatnonzero(np.diff(pieces, prepend=-1)).tolist():  # where each piece begins
        if start - cuts[-1] >= size:
            cuts.append(start)
    cuts.append(len(pieces))
    return cuts


def joined_blocks(blocks: list[MeshArrays]) -> MeshArrays:
    """One mesh from finished blocks of one kind (their lightmaps kept: each piece's is its own)."""
    count = sum(block.face_count for block in blocks)
    lightmaps = [block.lightmap for block in blocks if block.lightmap is not None]
    return MeshArrays(
        vertices=np.concatenate([block.vertices for block in blocks]),
        faces=quad_faces(count),
        uvs=np.concatenate([block.uvs for block in blocks]),
        material_indices=np.concatenate([block.material_indices for block in blocks]),
        materials=blocks[0].materials,
        pieces=np.concatenate([block.pieces for block in blocks]),
        lightmap=np.concatenate(lightmaps) if len(lightmaps) == len(blocks) else None,
    )


def concat_styled_names(meshes: list[MeshArrays]) -> tuple[str, ...]:
    """The material names of concat_styled's mesh."""
    if all(mesh.materials == meshes[0].materials for mesh in meshes):
        return meshes[0].materials
    return tuple(dict.fromkeys(name for mesh in meshes for name in mesh.materials))


def _spawn(spec: LevelSpec, features: tuple[Feature, ...], ground: Layout, holes: BoolArray) -> Spawn:
    """Where a feature of the ground floor puts the camera, unless a hole or a stair is there, or
    else the ground floor's longest view."""
    for feature in features:
        spawn = feature.spawn(spec)
        if spawn is not None and not _on(holes, spawn, spec.cell_size):
            return spawn
    return find_spawn(ground, spec.cell_size, holes)


def _on(cells: BoolArray, spawn: Spawn, cell_size: float) -> bool:
    """Whether the spawn stands in one of `cells` (a stair's foot, say)."""
    i, j = (int(np.floor(value / cell_size)) for value in spawn.position[:2])
    return 0 <= j < cells.shape[0] and 0 <= i < cells.shape[1] and bool(cells[j, i])


# Stands in a floor's meshes for its troffers, which plan_level keeps as FloorFixtures.
_COPIED_LATER = MeshArrays(
    np.zeros((0, 3), np.float32), np.zeros((0, 4), np.int32), np.zeros((0, 2), np.float32), np.zeros(0, np.int32), ()
)


def _story_meshes(
    story: Story, features: Features, pieces: Pieces, walls: Callable[[], MeshArrays] | None
) -> dict[str, MeshArrays]:
    """A floor's meshes by kind; `walls` None: they come some other way (a BandStream)."""
    spec = story.spec
    width_m, depth_m = spec.width * spec.cell_size, spec.depth * spec.cell_size
    meshes = {
        "walls": _COPIED_LATER if walls is None else walls(),
        "floor": floor_mesh(width_m, depth_m, pieces, spec.cell_size, features.floor_holes),
    }
    if style_of(spec.style).ceiling:
        meshes["ceiling"] = ceiling_mesh(
            width_m, depth_m, spec.wall_height, pieces, spec.cell_size, features.ceiling_holes
        )
        meshes[FIXTURES] = _COPIED_LATER
    return {**meshes, **features.meshes}


def _taken(floor: FloorPlan) -> BoolArray:
    """Cells the camera may not start in: holes in the floor and what stands there."""
    return floor.floor_holes if floor.occupied is None else floor.floor_holes | floor.occupied


def _without_ceiling(solid: BoolArray, features: Features) -> BoolArray:
    """Cells where no fixture may hang: pillars, and openings in the ceiling."""
    if features.ceiling_holes is None:
        return solid
    blocked: BoolArray = solid | features.ceiling_holes
    return blocked


def lifted_points(points: npt.NDArray[np.float64], dz: float) -> npt.NDArray[np.float64]:
    moved = points.copy()
    moved[:, 2] += dz
    return moved


def restyled(mesh: MeshArrays, style: Style) -> MeshArrays:
    """The mesh with the style's materials in place of Level 0's."""
    materials = tuple(style.material(name) for name in mesh.materials)
    return mesh if materials == mesh.materials else replace(mesh, materials=materials)


def walled(spec: LevelSpec, layout: Layout, blocked: BoolArray | None = None) -> Layout:
    """The layout the walls are built from: the region is cut from an endless world, and as a
    level on its own it may get a closed perimeter, with the doorways that keep it one walkable
    area round the `blocked` cells too (core/joins.py). Without the perimeter it stays an open
    cut of the world."""
    return joined(layout.closed(), spec.seed, blocked) if spec.perimeter else layout


def likely_materials(spec: LevelSpec) -> tuple[str, ...]:
    """The materials a level of `spec` most likely uses (its style's walls and floor; with a
    ceiling, its tiles and its lit, dead and flickering fixtures), for a front end to make while
    the plan is made. A guess: the plan's meshes name what it uses, which may be fewer or more."""
    style = style_of(spec.style)
    names = [*WALL_MATERIALS, "carpet"]
    if style.ceiling:  # FIXTURE_MATERIALS: frame, lit, dead, the flickering phases, sodium
        names += ["ceiling_tile", *FIXTURE_MATERIALS[:2]]
        names += [FIXTURE_MATERIALS[2]] if spec.dead_fraction > 0 else []
        names += FIXTURE_MATERIALS[3 : 3 + FLICKER_PHASES] if spec.flicker_fraction > 0 else []
        names += [FIXTURE_MATERIALS[-1]] if style.sodium_fraction > 0 else []
    return tuple(dict.fromkeys(style.material(name) for name in names))


def troffer_size(spec: LevelSpec) -> tuple[float, float]:
    """The fixture's size (a troffer, or a strip light where the style has them), shrunk where
    cells are too small to hold it."""
    room = spec.cell_size - spec.wall_thickness - 0.1
    full = FIXTURE_SIZES.get(style_of(spec.style).fixture, TROFFER_SIZE)
    return (min(full[0], room), min(full[1], room))


def wall_style(spec: LevelSpec) -> WallStyle:
    """The wall-building settings of a spec; headers only where doors are lower than the ceiling."""
    headers = spec.door_height < spec.wall_height - 0.05
    return WallStyle(
        cell_size=spec.cell_size,
        height=spec.wall_height,
        thickness=spec.wall_thickness,
        baseboard=spec.baseboard_height,
        door_height=spec.door_height if headers else None,
    )


def nearest(points: npt.NDArray[np.float64], to: tuple[float, float, float], count: int) -> npt.NDArray[np.intp]:
    """Indices of the `count` points closest to `to` (stable order, so ties resolve the same way everywhere)."""
    distance = np.linalg.norm(points[:, :2] - np.asarray(to[:2]), axis=1)
    if 0 < count < len(distance):
        farthest = np.partition(distance, count - 1)[count - 1]
        if not np.isnan(farthest):
            # Only the points as near as the count-th nearest are sorted: the first `count` of
            # them, in order of distance and then index, are those of all the points sorted.
            within = np.flatnonzero(distance <= farthest)
            chosen: npt.NDArray[np.intp] = within[np.argsort(distance[within], kind="stable")][:count]
            return chosen
    everything: npt.NDArray[np.intp] = np.argsort(distance, kind="stable")[:count]
    return everything


def find_spawn(layout: Layout, cell_size: float, avoid: BoolArray | None = None) -> Spawn:
    """The walkable cell with the longest straight view east or north, looking along it (never
    one of the `avoid` cells: pools, pitfalls, stairwells)."""
    solid = layout.solid
    # A pillar blocks the view like a wall on each of its sides.
    walls_v = layout.walls_v.copy()
    walls_v[:, :-1] |= solid
    walls_v[:, 1:] |= solid
    walls_h = layout.walls_h.copy()
    walls_h[:-1] |= solid
    walls_h[1:] |= solid
    unusable = solid if avoid is None else solid | avoid
    east = np.where(unusable, 0, _open_run(walls_v, axis=1))  # (depth, width): cells visible to the east
    north = np.where(unusable, 0, _open_run(walls_h, axis=0))  # (depth, width): cells visible to the north
    best_east, best_north = int(east.argmax()), int(north.argmax())
    if east.flat[best_east] >= north.flat[best_north]:
        y, x = divmod(best_east, layout.width)
        run, yaw = int(east[y, x]), 0.0
    else:
        y, x = divmod(best_north, layout.width)
        run, yaw = int(north[y, x]), math.pi / 2
    position = ((x + 0.5) * cell_size, (y + 0.5) * cell_size, EYE_HEIGHT)
    return Spawn(position, yaw, run * cell_size)


def _open_run(walls: npt.NDArray[np.bool_], axis: int) -> npt.NDArray[np.int32]:
    """For walls on cell edges, n + 1 of them along `axis` (0 or 1): how many cells from each
    cell to the next wall ahead along it. Scanned in place along either axis: a transposed
    array would make the scan jump through memory."""
    edges = walls.shape[axis]
    index = np.expand_dims(np.arange(edges, dtype=np.int32), 1 - axis)
    wall_at = np.where(walls, index, np.int32(edges))
    next_wall = np.flip(np.minimum.accumulate(np.flip(wall_at, axis), axis=axis), axis)
    runs: npt.NDArray[np.int32] = next_wall[1:] - index[:-1] if axis == 0 else next_wall[:, 1:] - index[:, :-1]
    return runs
