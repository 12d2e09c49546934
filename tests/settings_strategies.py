"""Hypothesis strategies made from the settings table: any valid spec, and specs the panel can show."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from backrooms_addon.core import InvalidSpecError, LevelSpec
from backrooms_addon.core.spec import BYTES_PER_CELL, COURTYARD, MEMORY_LIMIT_BYTES, SETTINGS, Setting


def _values(setting: Setting, panel: bool) -> st.SearchStrategy[object]:
    limits = setting.limits
    if panel and setting.panel_limits is not None and not setting.panel_text:
        limits = setting.panel_limits  # what the panel's property holds (a text form holds the rest)
    if setting.kind == "bool":
        return st.booleans()
    if setting.kind == "choice":
        assert setting.choices is not None
        return st.sampled_from(list(setting.choices()))
    if setting.kind == "styles":  # settled against the style and floors below (_settle_relations)
        assert setting.choices is not None
        return st.lists(st.sampled_from(list(setting.choices())), max_size=4).map(tuple)
    if setting.kind == "colour":
        return st.tuples(*[st.integers(0, 255)] * 3).map(lambda rgb: "#" + "".join(f"{c:02X}" for c in rgb))
    assert limits is not None
    if setting.kind == "cells":
        return st.tuples(*[st.integers(int(limits.low), int(limits.high))] * 2)
    if limits.integer:
        return st.integers(int(limits.low), int(limits.high))
    if panel:  # Blender keeps floats in single precision: a panel shows four decimals at most
        return st.floats(limits.low, limits.high).map(lambda v: min(max(round(v, 4), limits.low), limits.high))
    return st.floats(limits.low, limits.high)


@st.composite
def any_specs(draw: st.DrawFn, panel: bool = False, **fixed: st.SearchStrategy[object]) -> LevelSpec:
    """A valid spec with every field drawn from its range in the table (`fixed` narrows fields),
    then moved into the bounds that fields set each other (room_min <= room_max, ...)."""
    values = {s.name: draw(fixed[s.name] if s.name in fixed else _values(s, panel)) for s in SETTINGS}
    _settle_relations(values)
    try:
        return LevelSpec.from_dict(values)
    except InvalidSpecError:
        from hypothesis import reject

        reject()


def _settle_relations(values: dict[str, Any]) -> None:
    """Bring clashing fields within what LevelSpec._check_relations and the memory budget allow."""
    values["room_max"] = min(values["room_max"], values["chunk_size"])
    values["room_min"] = min(values["room_min"], values["room_max"])
    values["door_height"] = min(values["door_height"], values["wall_height"])
    values["wall_thickness"] = min(values["wall_thickness"], round(values["cell_size"] / 2 - 0.01, 3))
    values["flicker_fraction"] = min(values["flicker_fraction"], round(1 - values["dead_fraction"], 4))
    cells = MEMORY_LIMIT_BYTES // BYTES_PER_CELL // values["floors"]
    values["depth"] = max(1, min(values["depth"], cells // values["width"]))
    # One style a floor at most, the ground floor's the level's, the open Courtyard on top only.
    styles = [values["style"], *values["floor_styles"][1:]][: values["floors"]] if values["floor_styles"] else []
    below_top = [*styles, *[values["style"]] * (values["floors"] - len(styles))][:-1]
    values["floor_styles"] = () if COURTYARD in below_top else tuple(styles)
