"""Instanced models kept between plans (core/plan.py kept_model): the same models, made once, read-only."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core import plan as plan_module
from backrooms_addon.core.geometry import MeshArrays, quad_mesh
from backrooms_addon.core.plan import FIXTURES, MODELS_KEPT, kept_model, mesh_key

SPEC = LevelSpec(seed=3, width=40, depth=30, flicker_fraction=0.2, dead_fraction=0.1)


def _variants(spec: LevelSpec) -> list[MeshArrays]:
    return [kind.mesh for kind in plan_level(spec).meshes.copies_of(FIXTURES).instanced().kinds]


def test_the_next_plan_gets_the_same_models_as_made_afresh() -> None:
    first = _variants(SPEC)
    again = _variants(SPEC.replace(seed=4))
    by_key = {mesh_key(mesh): mesh for mesh in first}
    shared = [mesh for mesh in again if mesh_key(mesh) in by_key]
    assert len(shared) >= 5 and all(mesh is by_key[mesh_key(mesh)] for mesh in shared), "made once, kept"
    plan_module._kept_models.clear()
    afresh = _variants(SPEC)
    assert [mesh_key(mesh) for mesh in afresh] == [mesh_key(mesh) for mesh in first]
    assert not any(mesh is old for mesh, old in zip(afresh, first, strict=True))


def test_kept_models_cannot_be_changed_in_place() -> None:
    for mesh in _variants(SPEC):
        for array in (mesh.vertices, mesh.faces, mesh.uvs, mesh.material_indices, mesh.pieces, mesh.lightmap):
            assert array is not None and not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            mesh.vertices[0, 0] = 1.0


def _quad(size: float) -> MeshArrays:
    corners = np.array([[(0, 0, 0), (size, 0, 0), (size, size, 0), (0, size, 0)]], np.float64)
    return quad_mesh(corners, corners[:, :, :2], np.zeros(1, np.int32), ("frame",))


def test_the_kept_models_are_bounded() -> None:
    plan_module._kept_models.clear()
    for k in range(MODELS_KEPT + 3):
        kept_model(("test", k), _quad, 1.0 + k)
    assert 0 < len(plan_module._kept_models) <= MODELS_KEPT


@settings(max_examples=40, deadline=None)
@given(field=st.sampled_from(["vertices", "uvs", "material_indices", "pieces"]), shift=st.integers(1, 5))
def test_meshes_that_differ_in_any_array_have_other_keys(field: str, shift: int) -> None:
    mesh = _quad(1.0)
    changed = dataclasses.replace(mesh, **{field: getattr(mesh, field) + shift})
    assert mesh_key(changed) != mesh_key(mesh)
    assert mesh_key(dataclasses.replace(mesh, materials=("other",))) != mesh_key(mesh)
    assert mesh_key(_quad(1.0)) == mesh_key(mesh)
