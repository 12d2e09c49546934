"""Normal maps framed by the axes: a recipe's tangent-space normal map rewritten so that a renderer
computes no UV tangents for it.

Cycles and EEVEE compute a MikkTSpace tangent for every corner of every mesh whose material reads
a tangent-space normal map: at 1000 x 1000 cells, with millions of wall corners, that was a seventh
to a fifth of the first frame. The level's architecture needs none of it: its faces are
axis-aligned and its UVs are metres along the axes (walls: u along the wall seen from the front, v
up; floors and ceilings: u along x, v along y; core/geometry.py), so the tangent frame of a face
follows from its normal alone (the front's: on a face seen from behind, both engines turn the
normal round). The recipe's texture then feeds a node group of a few vector nodes (AXIS_FRAME)
that turn the tangent-space texel into an object-space one, read by the same Normal Map node set
to object space (which keeps its Strength). A recipe says it may be framed so with "normal_frame":
"axes"; the tests hold every face of such a material in every level style to those UVs.
"""

from __future__ import annotations

from dataclasses import replace

from .recipes import AXES, FRAME_NODE, Node, NodeGroup, Recipe, normal_maps


def _vector_math(operation: str, **inputs: object) -> Node:
    return Node("ShaderNodeVectorMath", {"operation": operation}, dict(inputs))


def _mix(a: list[float] | None, b: list[float] | None) -> Node:
    inputs = {key: value for key, value in (("A_Vector", a), ("B_Vector", b)) if value is not None}
    return Node("ShaderNodeMix", {"data_type": "VECTOR"}, inputs)


# The frame of an axis-aligned face from its object-space normal N: on a wall (N level) the tangent
# is up x N, the bitangent up; on a floor or ceiling (|N.z| = 1) the tangent is x, the bitangent y.
FRAME_NODES: dict[str, Node] = {
    "inputs": Node("NodeGroupInput"),
    "coords": Node("ShaderNodeTexCoord"),
    # Both engines turn the normal round on a face seen from behind; the frame is the front's.
    "side": Node("ShaderNodeNewGeometry"),
    "sign": Node("ShaderNodeMath", {"operation": "MULTIPLY_ADD"}, {"Value_001": -2.0, "Value_002": 1.0}),
    "front": _vector_math("SCALE"),
    "facing": Node("ShaderNodeSeparateXYZ"),
    "level": Node("ShaderNodeMath", {"operation": "ABSOLUTE"}),  # 1 on floors and ceilings, 0 on walls
    "across": _vector_math("CROSS_PRODUCT", Vector=[0.0, 0.0, 1.0]),
    "tangent": _mix(None, [1.0, 0.0, 0.0]),
    "bitangent": _mix([0.0, 0.0, 1.0], [0.0, 1.0, 0.0]),
    "texel": _vector_math("MULTIPLY_ADD", Vector_001=[2.0, 2.0, 2.0], Vector_002=[-1.0, -1.0, -1.0]),
    "offsets": Node("ShaderNodeSeparateXYZ"),
    "along_u": _vector_math("SCALE"),
    "along_v": _vector_math("SCALE"),
    "outwards": _vector_math("SCALE"),
    "in_plane": _vector_math("ADD"),
    "normal": _vector_math("ADD"),
    "encoded": _vector_math("MULTIPLY_ADD", Vector_001=[0.5, 0.5, 0.5], Vector_002=[0.5, 0.5, 0.5]),
    "outputs": Node("NodeGroupOutput"),
}
FRAME_LINKS: tuple[tuple[str, str], ...] = (
    ("inputs.Texel", "texel.Vector"),
    ("side.Backfacing", "sign.Value"),
    ("coords.Normal", "front.Vector"),
    ("sign.Value", "front.Scale"),
    ("front.Vector", "facing.Vector"),
    ("facing.Z", "level.Value"),
    ("front.Vector", "across.Vector_001"),
    ("level.Value", "tangent.Factor_Float"),
    ("across.Vector", "tangent.A_Vector"),
    ("level.Value", "bitangent.Factor_Float"),
    ("texel.Vector", "offsets.Vector"),
    ("tangent.Result_Vector", "along_u.Vector"),
    ("offsets.X", "along_u.Scale"),
    ("bitangent.Result_Vector", "along_v.Vector"),
    ("offsets.Y", "along_v.Scale"),
    ("front.Vector", "outwards.Vector"),
    ("offsets.Z", "outwards.Scale"),
    ("along_u.Vector", "in_plane.Vector"),
    ("along_v.Vector", "in_plane.Vector_001"),
    ("in_plane.Vector", "normal.Vector"),
    ("outwards.Vector", "normal.Vector_001"),
    ("normal.Vector", "encoded.Vector"),
    ("encoded.Vector", "outputs.Normal"),
)
# One group per file, which every framed material holds as its node FRAME_NODE: in the shader
# editor a framed material reads as its recipe with one node more.
AXIS_FRAME = NodeGroup(
    name="axis_frame",
    label="Backrooms Axis Frame",
    version=1,
    description=(
        "A tangent-space normal map texel as an object-space one, in the frame of an axis-aligned "
        "face whose UVs are metres along the axes (walls: along the wall and up; floors and ceilings: "
        "x and y). Feeds a Normal Map node set to Object space."
    ),
    inputs=(("Texel", "NodeSocketColor"),),
    outputs=(("Normal", "NodeSocketColor"),),
    nodes=FRAME_NODES,
    links=FRAME_LINKS,
)


def axis_framed(recipe: Recipe) -> Recipe:
    """The recipe as Blender builds it: a recipe framed by the axes gets its normal map in object
    space, fed by the texel turned through the face's frame (the AXIS_FRAME group); any other
    recipe is returned as it is."""
    if recipe.normal_frame != AXES:
        return recipe
    (normal,), (texel,) = normal_maps(recipe)  # one of each: checked when the recipes load
    node = recipe.nodes[normal]
    frame = Node("ShaderNodeGroup", group=AXIS_FRAME)
    nodes = {**recipe.nodes, FRAME_NODE: frame, normal: replace(node, props={**node.props, "space": "OBJECT"})}
    links = [link for link in recipe.links if link != (texel, f"{normal}.Color")]
    links += [(texel, f"{FRAME_NODE}.Texel"), (f"{FRAME_NODE}.Normal", f"{normal}.Color")]
    return replace(recipe, nodes=nodes, links=tuple(links))
