"""Normal maps framed by the axes: every face of a framed material has the UVs the frame assumes,
and the framed recipe is the authored one with its normal map fed through the frame."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from level_checks import geometry_specs, unaligned_preset_specs

from backrooms_addon.core.axis_normals import AXIS_FRAME, FRAME_LINKS, FRAME_NODES, axis_framed
from backrooms_addon.core.errors import BackroomsError
from backrooms_addon.core.geometry import MeshArrays
from backrooms_addon.core.levels import LEVEL_PRESETS
from backrooms_addon.core.plan import plan_level
from backrooms_addon.core.recipes import AXES, FRAME_NODE, NORMAL_MAP, UV, _problems, _recipe, load_recipes
from backrooms_addon.core.spec import LevelSpec

F64 = npt.NDArray[np.float64]
FRAMED = sorted(name for name, recipe in load_recipes().items() if recipe.normal_frame == AXES)


def uv_frames(mesh: MeshArrays) -> tuple[F64, F64, F64]:
    """Per face: the unit normal, the tangent (dP/du made square to the normal, as MikkTSpace
    makes it) and the bitangent on dP/dv's side, from the first triangle's corners and UVs."""
    corners = mesh.vertices[mesh.faces[:, :3]].astype(np.float64)
    uvs = mesh.uvs[mesh.faces[:, :3]].astype(np.float64)
    e1, e2 = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]
    d1, d2 = uvs[:, 1] - uvs[:, 0], uvs[:, 2] - uvs[:, 0]
    det = (d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0])[:, None]
    dp_du = (e1 * d2[:, 1:] - e2 * d1[:, 1:]) / det
    dp_dv = (e2 * d1[:, :1] - e1 * d2[:, :1]) / det
    normal = _unit(np.cross(e1, e2))
    tangent = _unit(dp_du - (dp_du * normal).sum(1, keepdims=True) * normal)
    side = np.sign((np.cross(normal, tangent) * dp_dv).sum(1, keepdims=True))
    return normal, tangent, side * np.cross(normal, tangent)


def axis_frames(normal: F64) -> tuple[F64, F64]:
    """The frame the framed recipe builds from the normal: walls up x N and up, else x and y."""
    level = np.abs(normal[:, 2:])
    across = np.stack([-normal[:, 1], normal[:, 0], np.zeros(len(normal))], axis=1)
    tangent = level * [1.0, 0.0, 0.0] + (1 - level) * across
    bitangent = level * [0.0, 1.0, 0.0] + (1 - level) * [0.0, 0.0, 1.0]
    return tangent, bitangent


def _unit(vectors: F64) -> F64:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def misframed_faces(meshes: Mapping[str, MeshArrays]) -> dict[str, int]:
    """How many faces of each framed material (and kind of mesh) lie otherwise than the frame assumes."""
    found: dict[str, int] = {}
    for kind, mesh in meshes.items():
        used = np.isin(mesh.material_indices, [i for i, name in enumerate(mesh.materials) if name in FRAMED])
        if not used.any():
            continue
        normal, tangent, bitangent = uv_frames(mesh)
        want_tangent, want_bitangent = axis_frames(normal)
        axis_aligned = np.isclose(np.abs(normal), 1.0, atol=1e-6).any(axis=1)
        same_tangent = np.abs(tangent - want_tangent).max(1) < 1e-4
        right = axis_aligned & same_tangent & (np.abs(bitangent - want_bitangent).max(1) < 1e-4)
        for index in np.unique(mesh.material_indices[used & ~right]):
            name = f"{mesh.materials[index]} ({kind})"
            found[name] = found.get(name, 0) + int(((mesh.material_indices == index) & ~right).sum())
    return found


def test_the_level_styles_walls_floors_and_ceilings_are_framed_by_the_axes() -> None:
    assert {"wallpaper", "baseboard", "carpet", "concrete_wall", "tunnel_wall", "office_wall", "run_wall"} <= set(
        FRAMED
    )


@pytest.mark.parametrize("key", list(LEVEL_PRESETS))
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_every_face_of_a_framed_material_has_the_frames_uvs(key: str, data: st.DataObject) -> None:
    """Any preset, seed, size and place (edges through chunks), stacked floors included."""
    spec = data.draw(unaligned_preset_specs(key, 3, floors=st.integers(1, 2)))
    meshes = plan_level(spec).meshes
    assert misframed_faces(meshes) == {}
    # The Poolrooms' tiles also line its arches, whose UVs follow the curve: only its water is framed.
    framed_floor = set(meshes["floor"].materials) & set(FRAMED)
    assert framed_floor or spec.style == "LEVEL_37"


@settings(max_examples=25, deadline=None)
@given(spec=geometry_specs)
def test_every_geometry_setting_keeps_the_frames_uvs(spec: LevelSpec) -> None:
    assert misframed_faces(plan_level(spec).meshes) == {}


def test_faces_with_other_uvs_are_found() -> None:
    """The check can fail: walls whose UVs run the other way along them, or upside down, or
    across, and a floor turned a quarter, are all misframed."""
    meshes = plan_level(LEVEL_PRESETS["LEVEL_0"].spec(seed=5, width=12, depth=12)).meshes
    walls, floor = meshes["walls"], meshes["floor"]
    assert misframed_faces({"walls": walls, "floor": floor}) == {}
    papered = np.count_nonzero(walls.material_indices == walls.materials.index("wallpaper"))
    for turned in (walls.uvs * [-1, 1], walls.uvs * [1, -1], walls.uvs[:, ::-1]):
        found = misframed_faces({"walls": replace(walls, uvs=np.ascontiguousarray(turned))})
        assert found["wallpaper (walls)"] == papered
    quarter = replace(floor, uvs=np.ascontiguousarray(floor.uvs[:, ::-1] * [-1, 1]))
    assert misframed_faces({"floor": quarter}) == {"carpet (floor)": floor.face_count}


def test_framing_feeds_the_normal_map_through_the_frame_in_object_space() -> None:
    for name in FRAMED:
        recipe = load_recipes()[name]
        framed = axis_framed(recipe)
        (normal,) = (key for key, node in framed.nodes.items() if node.type == NORMAL_MAP)
        assert framed.nodes[normal].props["space"] == "OBJECT"
        assert recipe.nodes[normal].props.get("space", "TANGENT") == "TANGENT"  # the authored one, for glTF
        assert framed.nodes[normal].inputs == recipe.nodes[normal].inputs  # its Strength stays
        (texel,) = (a for a, b in recipe.links if b == f"{normal}.Color")
        assert {(texel, "frame.Texel"), ("frame.Normal", f"{normal}.Color")} <= set(framed.links)
        assert set(recipe.links) - set(framed.links) == {(texel, f"{normal}.Color")}
        assert framed.nodes.keys() == recipe.nodes.keys() | {FRAME_NODE}
        assert framed.nodes[FRAME_NODE].type == "ShaderNodeGroup" and framed.nodes[FRAME_NODE].group is AXIS_FRAME
        assert _problems(replace(framed, normal_frame=UV)) == []  # every link names a node


def test_the_frame_group_takes_the_texel_through_every_node_to_its_output() -> None:
    """Every node of the group lies on a path from its input or a geometry input to its output,
    and every link names a node and a socket of the group's own sockets at its ends."""
    (texel_in,) = (a for a, b in FRAME_LINKS if a.startswith("inputs."))
    (normal_out,) = (b for a, b in FRAME_LINKS if b.startswith("outputs."))
    assert (texel_in, normal_out) == (f"inputs.{AXIS_FRAME.inputs[0][0]}", f"outputs.{AXIS_FRAME.outputs[0][0]}")
    ends = {end.split(".", 1)[0] for link in FRAME_LINKS for end in link}
    assert ends == FRAME_NODES.keys()
    reaches = {"outputs"}
    for _ in FRAME_LINKS:
        reaches |= {a.split(".", 1)[0] for a, b in FRAME_LINKS if b.split(".", 1)[0] in reaches}
    assert reaches == FRAME_NODES.keys()


def test_an_unframed_recipe_is_built_as_written() -> None:
    unframed = [recipe for recipe in load_recipes().values() if recipe.normal_frame != AXES]
    assert any(NORMAL_MAP in {node.type for node in recipe.nodes.values()} for recipe in unframed)
    assert all(axis_framed(recipe) is recipe for recipe in unframed)


OUTPUT, MATH = {"type": "ShaderNodeOutputMaterial"}, {"type": "ShaderNodeMath"}
TEXEL = ["frame.Value", "normal.Color"]


def _entry(**changes: object) -> dict[str, object]:
    wallpaper = load_recipes()["wallpaper"]
    nodes = {key: {"type": n.type, "props": n.props, "inputs": n.inputs} for key, n in wallpaper.nodes.items()}
    entry: dict[str, object] = {
        "label": "A",
        "base_color": "#FFFFFF",
        "nodes": nodes,
        "links": [list(link) for link in wallpaper.links],
        "normal_frame": AXES,
    }
    return {**entry, **changes}


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"normal_frame": "tangent"}, "normal_frame 'tangent' is not 'uv' or 'axes'"),
        ({"links": []}, "needs one link into normal.Color, has 0"),
        ({"nodes": {"output": OUTPUT}, "links": []}, "needs exactly one normal map node, has 0"),
        (
            {"nodes": {"output": OUTPUT, "frame": MATH, "normal": {"type": NORMAL_MAP}}, "links": [TEXEL]},
            "node name 'frame' is kept",
        ),
    ],
)
def test_a_recipe_that_cannot_be_framed_is_refused_by_name(changes: dict[str, object], says: str) -> None:
    with pytest.raises(BackroomsError, match="material recipe 'odd'") as error:
        _recipe("odd", 1, _entry(**changes))
    assert says in str(error.value)
