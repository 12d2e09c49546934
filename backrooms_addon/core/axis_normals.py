"""Normal maps framed by the axes: a recipe's tangent-space normal map rewritten so that a renderer
computes no UV tangents for it.

Cycles and EEVEE compute a MikkTSpace tangent for every corner of every mesh whose material reads
a tangent-space normal map: at 1000 x 1000 cells, with millions of wall corners, that was a seventh
to a fifth of the first frame. The level's architecture needs none of it: its faces are
axis-aligned and its UVs are metres along the axes (walls: u along the wall seen from the front, v
up; floors and ceilings: u along x, v along y; core/geometry.py), so the tangent frame of a face
follows from its normal alone (the front's: on a face seen from behind, both engines turn the
normal round). The recipe's texture then feeds a few vector nodes that turn the tangent-space
texel into an object-space one, read by the same Normal Map node set to object space (which keeps
its Strength). A recipe says it may be framed so with "normal_frame": "axes"; the tests hold every
face of such a material in every level style to those UVs.
"""

from __future__ import annotations

from dataclasses import replace

from .recipes import AXES, Node, Recipe, normal_maps


def _vector_math(operation: str, **inputs: object) -> Node:
    return Node("ShaderNodeVectorMath", {"operation": operation}, dict(inputs))


def _mix(a: list[float] | None, b: list[float] | None) -> Node:
    inputs = {key: value for key, value in (("A_Vector", a), ("B_Vector", b)) if value is not None}
    return Node("ShaderNodeMix", {"data_type": "VECTOR"}, inputs)


# The frame of an axis-aligned face from its object-space normal N: on a wall (N level) the tangent
# is up x N, the bitangent up; on a floor or ceiling (|N.z| = 1) the tangent is x, the bitangent y.
FRAME_NODES: dict[str, Node] = {
    "frame_coords": Node("ShaderNodeTexCoord"),
    # Both engines turn the normal round on a face seen from behind; the frame is the front's.
    "frame_side": Node("ShaderNodeNewGeometry"),
    "frame_sign": Node("ShaderNodeMath", {"operation": "MULTIPLY_ADD"}, {"Value_001": -2.0, "Value_002": 1.0}),
    "frame_front": _vector_math("SCALE"),
    "frame_facing": Node("ShaderNodeSeparateXYZ"),
    "frame_level": Node("ShaderNodeMath", {"operation": "ABSOLUTE"}),  # 1 on floors and ceilings, 0 on walls
    "frame_across": _vector_math("CROSS_PRODUCT", Vector=[0.0, 0.0, 1.0]),
    "frame_tangent": _mix(None, [1.0, 0.0, 0.0]),
    "frame_bitangent": _mix([0.0, 0.0, 1.0], [0.0, 1.0, 0.0]),
    "frame_texel": _vector_math("MULTIPLY_ADD", Vector_001=[2.0, 2.0, 2.0], Vector_002=[-1.0, -1.0, -1.0]),
    "frame_offsets": Node("ShaderNodeSeparateXYZ"),
    "frame_along_u": _vector_math("SCALE"),
    "frame_along_v": _vector_math("SCALE"),
    "frame_outwards": _vector_math("SCALE"),
    "frame_in_plane": _vector_math("ADD"),
    "frame_normal": _vector_math("ADD"),
    "frame_encoded": _vector_math("MULTIPLY_ADD", Vector_001=[0.5, 0.5, 0.5], Vector_002=[0.5, 0.5, 0.5]),
}
FRAME_LINKS: tuple[tuple[str, str], ...] = (
    ("frame_side.Backfacing", "frame_sign.Value"),
    ("frame_coords.Normal", "frame_front.Vector"),
    ("frame_sign.Value", "frame_front.Scale"),
    ("frame_front.Vector", "frame_facing.Vector"),
    ("frame_facing.Z", "frame_level.Value"),
    ("frame_front.Vector", "frame_across.Vector_001"),
    ("frame_level.Value", "frame_tangent.Factor_Float"),
    ("frame_across.Vector", "frame_tangent.A_Vector"),
    ("frame_level.Value", "frame_bitangent.Factor_Float"),
    ("frame_texel.Vector", "frame_offsets.Vector"),
    ("frame_tangent.Result_Vector", "frame_along_u.Vector"),
    ("frame_offsets.X", "frame_along_u.Scale"),
    ("frame_bitangent.Result_Vector", "frame_along_v.Vector"),
    ("frame_offsets.Y", "frame_along_v.Scale"),
    ("frame_front.Vector", "frame_outwards.Vector"),
    ("frame_offsets.Z", "frame_outwards.Scale"),
    ("frame_along_u.Vector", "frame_in_plane.Vector"),
    ("frame_along_v.Vector", "frame_in_plane.Vector_001"),
    ("frame_in_plane.Vector", "frame_normal.Vector"),
    ("frame_outwards.Vector", "frame_normal.Vector_001"),
    ("frame_normal.Vector", "frame_encoded.Vector"),
)


def axis_framed(recipe: Recipe) -> Recipe:
    """The recipe as Blender builds it: a recipe framed by the axes gets its normal map in object
    space, fed by the texel turned through the face's frame; any other recipe is returned as it is."""
    if recipe.normal_frame != AXES:
        return recipe
    (normal,), (texel,) = normal_maps(recipe)  # one of each: checked when the recipes load
    node = recipe.nodes[normal]
    nodes = {**recipe.nodes, **FRAME_NODES, normal: replace(node, props={**node.props, "space": "OBJECT"})}
    links = [link for link in recipe.links if link != (texel, f"{normal}.Color")]
    links += [(texel, "frame_texel.Vector"), *FRAME_LINKS, ("frame_encoded.Vector", f"{normal}.Color")]
    return replace(recipe, nodes=nodes, links=tuple(links))
