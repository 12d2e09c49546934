"""Build blend_templates/camcorder.blend: the compositor group "Backrooms Camcorder", what a tape does.

Run with the oldest supported Blender, so that every newer one reads (and converts) the group,
from the repository root: `.venv-4.2/bin/python tools/make_camcorder.py [OUT]`. The add-on
appends the group (realize/camcorder.py) and feeds it the render, the on-screen display and the
tape's noise and tearing for the frame (images the add-on draws with numpy, see core/camcorder.py);
every effect has its strength input. tests/blender/test_camcorder.py checks that this script
still makes what is committed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "blend_templates" / "camcorder.blend"
GROUP = "Backrooms Camcorder"

# The group's inputs besides the pictures: name, default, min, max. Lengths are px at 640 px wide.
STRENGTHS = (
    ("Chroma Shift", 0.0, 0.0, 8.0),
    ("Chroma Smear", 0.0, 0.0, 1.0),
    ("Luma Soften", 0.0, 0.0, 1.0),
    ("Sharpen Halo", 0.0, 0.0, 1.0),
    ("Luma Noise", 0.0, 0.0, 1.0),
    ("Chroma Noise", 0.0, 0.0, 1.0),
    ("Tracking", 0.0, 0.0, 1.0),
    ("Head Switch", 0.0, 0.0, 1.0),
    ("Vignette", 0.0, 0.0, 1.0),
    ("Barrel", 0.0, 0.0, 1.0),
    ("Wash", 0.0, 0.0, 1.0),
)
PICTURES = ("Image", "OSD", "Tape Noise", "Tape Shift")
Socket = Any  # a bpy NodeSocket, or a plain number for an unlinked input


class Graph:
    """Adds nodes to a compositor group in Blender 4.2's API, laid out in columns as they come."""

    def __init__(self, tree: Any) -> None:
        self.tree = tree
        self.column = 0

    def node(self, kind: str, inputs: dict[int | str, Socket] | None = None, **settings: Any) -> Any:
        node = self.tree.nodes.new(kind)
        node.location = (200 * (self.column // 12), -160 * (self.column % 12))
        self.column += 1
        for name, setting in settings.items():
            setattr(node, name, setting)
        for key, value in (inputs or {}).items():
            self.feed(node.inputs[key], value)
        return node

    def feed(self, target: Any, value: Socket) -> None:
        if isinstance(value, (int, float, tuple)):
            target.default_value = value
        else:
            self.tree.links.new(value, target)

    def math(self, operation: str, a: Socket, b: Socket = 0.0, clamp: bool = False) -> Socket:
        return self.node("CompositorNodeMath", {0: a, 1: b}, operation=operation, use_clamp=clamp).outputs[0]

    def add(self, a: Socket, b: Socket) -> Socket:
        return self.math("ADD", a, b)

    def mul(self, a: Socket, b: Socket) -> Socket:
        return self.math("MULTIPLY", a, b)

    def madd(self, a: Socket, b: Socket, c: Socket) -> Socket:
        """a * b + c"""
        return self.node("CompositorNodeMath", {0: a, 1: b, 2: c}, operation="MULTIPLY_ADD").outputs[0]

    def shift(self, value: Socket, pixels: Socket, scale: Socket) -> Socket:
        """`value` moved right by `pixels` (at 640 px wide; the scale makes them the render's)."""
        return self.node("CompositorNodeTranslate", {"Image": value, "X": self.mul(pixels, scale)}).outputs[0]

    def mean(self, values: list[Socket]) -> Socket:
        total = values[0]
        for value in values[1:]:
            total = self.add(total, value)
        return self.mul(total, 1.0 / len(values))


def build_group() -> Any:
    """The group, built from nothing in the running Blender (4.2)."""
    import bpy

    tree = bpy.data.node_groups.new(GROUP, "CompositorNodeTree")
    for name in PICTURES:
        tree.interface.new_socket(name, in_out="INPUT", socket_type="NodeSocketColor")
    scale = tree.interface.new_socket("Pixel Scale", in_out="INPUT", socket_type="NodeSocketFloat")
    scale.default_value, scale.min_value, scale.max_value = 1.0, 0.01, 100.0
    for name, default, low, high in STRENGTHS:
        socket = tree.interface.new_socket(name, in_out="INPUT", socket_type="NodeSocketFloat")
        socket.default_value, socket.min_value, socket.max_value = default, low, high
    tree.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
    graph = Graph(tree)
    inputs = graph.node("NodeGroupInput").outputs
    output = graph.node("NodeGroupOutput")
    picture = _camera(graph, inputs)
    picture = _tape(graph, inputs, picture)
    graph.feed(output.inputs[0], picture)
    tree["backrooms_camcorder"] = 1
    return tree


def _camera(graph: Graph, inputs: Any) -> Socket:
    """What the camera does before the tape: a bulging lens, dark corners, the display burnt in."""
    lens = graph.node(
        "CompositorNodeLensdist",
        {"Image": inputs["Image"], "Distortion": graph.mul(inputs["Barrel"], 0.06)},
        use_fit=False,
    )
    shift = graph.node("CompositorNodeSeparateColor", {"Image": inputs["Tape Shift"]}, mode="RGB")
    dark = graph.node(
        "CompositorNodeMixRGB",
        {0: inputs["Vignette"], 1: lens.outputs[0], 2: shift.outputs["Blue"]},
        blend_type="MULTIPLY",
    )
    over = graph.node("CompositorNodeAlphaOver", {1: dark.outputs[0], 2: inputs["OSD"]})
    return over.outputs[0]


def _tape(graph: Graph, inputs: Any, picture: Socket) -> Socket:
    """What the tape does: lines torn sideways, then luma and chroma, recorded apart, each
    degraded its own way, in a gamma-encoded signal as on tape."""
    scale = inputs["Pixel Scale"]
    torn = _tear(graph, inputs, picture)
    encoded = graph.node("CompositorNodeGamma", {"Image": torn, "Gamma": 1 / 2.2})
    ycc = graph.node("CompositorNodeSeparateColor", {"Image": encoded.outputs[0]}, mode="YCC", ycc_mode="ITUBT601")
    noise = graph.node("CompositorNodeSeparateColor", {"Image": inputs["Tape Noise"]}, mode="RGB")
    luma = _luma(graph, inputs, ycc.outputs["Red"], noise, scale)
    chroma = [
        _chroma(graph, inputs, ycc.outputs[channel], noise.outputs[grain], scale)
        for channel, grain in (("Green", "Green"), ("Blue", "Blue"))
    ]
    combined = graph.node(
        "CompositorNodeCombineColor",
        {"Red": luma, "Green": chroma[0], "Blue": chroma[1], "Alpha": 1.0},
        mode="YCC",
        ycc_mode="ITUBT601",
    )
    decoded = graph.node("CompositorNodeGamma", {"Image": combined.outputs[0], "Gamma": 2.2})
    return decoded.outputs[0]


def _tear(graph: Graph, inputs: Any, picture: Socket) -> Socket:
    """Lines moved sideways by the head-switching band and a tracking fault (the Tape Shift
    picture's red and green, px at 640 px wide)."""
    shift = graph.node("CompositorNodeSeparateColor", {"Image": inputs["Tape Shift"]}, mode="RGB")
    sideways = graph.add(
        graph.mul(shift.outputs["Red"], inputs["Head Switch"]), graph.mul(shift.outputs["Green"], inputs["Tracking"])
    )
    vector = graph.node("CompositorNodeCombineXYZ", {"X": graph.mul(sideways, graph.mul(inputs["Pixel Scale"], -1.0))})
    moved = graph.node("CompositorNodeDisplace", {"Image": picture, "Vector": vector.outputs[0], 2: 1.0, 3: 0.0})
    return moved.outputs[0]


def _luma(graph: Graph, inputs: Any, luma: Socket, noise: Any, scale: Socket) -> Socket:
    """Soft sideways with a sharpening halo, grain, bands of noise where lines are torn, white
    dropouts; washed: blacks lifted, whites dulled."""
    soft = graph.mean([graph.shift(luma, px, scale) for px in (-2.0, -1.0, 0.0, 0.0, 1.0, 2.0)])
    luma = graph.madd(graph.add(soft, graph.mul(luma, -1.0)), inputs["Luma Soften"], luma)
    wide = graph.mean([graph.shift(luma, px, scale) for px in (-4.0, -3.0, 3.0, 4.0)])
    halo = graph.mul(inputs["Sharpen Halo"], 1.4)
    luma = graph.madd(graph.add(luma, graph.mul(wide, -1.0)), halo, luma)
    amount = graph.add(graph.mul(inputs["Luma Noise"], 0.05), _torn(graph, inputs))
    luma = graph.madd(noise.outputs["Red"], amount, luma)
    luma = graph.math("MAXIMUM", luma, graph.mul(noise.outputs["Alpha"], graph.mul(inputs["Tracking"], 1.3)))
    wash = inputs["Wash"]
    luma = graph.madd(luma, graph.madd(wash, -0.16, 1.0), graph.mul(wash, 0.07))
    return graph.math("MAXIMUM", luma, 0.0)


def _torn(graph: Graph, inputs: Any) -> Socket:
    """Noise where lines are torn: as strong as the tear is wide, up to 0.3."""
    shift = graph.node("CompositorNodeSeparateColor", {"Image": inputs["Tape Shift"]}, mode="RGB")
    bands = [
        graph.mul(graph.math("MINIMUM", graph.mul(graph.math("ABSOLUTE", shift.outputs[channel]), 0.25), 1.0), strength)
        for channel, strength in (("Red", inputs["Head Switch"]), ("Green", inputs["Tracking"]))
    ]
    return graph.mul(graph.add(bands[0], bands[1]), 0.3)


def _chroma(graph: Graph, inputs: Any, chroma: Socket, grain: Socket, scale: Socket) -> Socket:
    """A colour difference (0.5 grey): late by the chroma shift, smeared to the right over up to
    16 px, blotchy, faded by the wash."""
    centred = graph.add(chroma, -0.5)
    late = graph.shift(centred, inputs["Chroma Shift"], scale)
    step = graph.mul(inputs["Chroma Smear"], 4.0)
    smeared = graph.mean([graph.shift(late, graph.mul(step, float(k)), scale) for k in range(5)])
    blotched = graph.madd(grain, graph.mul(inputs["Chroma Noise"], 0.02), smeared)
    faded = graph.mul(blotched, graph.madd(inputs["Wash"], -0.4, 1.0))
    return graph.add(faded, 0.5)


def describe(tree: Any) -> dict[str, Any]:
    """The group as plain data (interface, nodes with their settings and unlinked inputs, links),
    to compare a fresh build with the committed file."""
    nodes = {}
    for node in tree.nodes:
        settings = {
            key: getattr(node, key)
            for key in ("operation", "use_clamp", "mode", "ycc_mode", "blend_type", "use_fit")
            if hasattr(node, key)
        }
        values = [_plain(s.default_value) for s in node.inputs if hasattr(s, "default_value") and not s.is_linked]
        nodes[node.name] = (node.bl_idname, settings, values)
    links = sorted(
        (link.from_node.name, link.from_socket.identifier, link.to_node.name, link.to_socket.identifier)
        for link in tree.links
    )
    interface = [(item.name, item.in_out, item.socket_type) for item in tree.interface.items_tree]
    return {"interface": interface, "nodes": nodes, "links": links}


def _plain(value: Any) -> Any:
    try:
        return [round(float(v), 5) for v in value]
    except TypeError:
        return round(float(value), 5) if isinstance(value, float) else value


def main() -> int:
    import bpy

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    tree = build_group()
    tree.use_fake_user = True
    bpy.ops.wm.save_as_mainfile(filepath=str(out), compress=True)
    print(out, f"{out.stat().st_size // 1024} KiB, {len(tree.nodes)} nodes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
