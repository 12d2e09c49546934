"""The settings table: every spec field declared once, and every front end without Blender made from it
(JSON, the command line's flags and --help, `info`, the docs' spec table)."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from paths import ROOT
from settings_strategies import any_specs

from backrooms_addon.cli.commands import _job, build_parser, info, main
from backrooms_addon.core import InvalidSpecError, LevelSpec
from backrooms_addon.core.levels import LEVEL_PRESETS, preset_spec
from backrooms_addon.core.spec import PANELS, SETTING, SETTINGS, Setting, spec_table_markdown


def test_every_spec_field_has_one_complete_setting() -> None:
    assert [s.name for s in SETTINGS] == [f.name for f in fields(LevelSpec)]
    for setting in SETTINGS:
        assert setting.label and setting.description, setting.name
        assert setting.panel in PANELS, setting.name
        assert setting.default == getattr(LevelSpec(), setting.name)
        assert setting.kind in {"int", "float", "bool", "choice", "colour", "cells", "styles"}
        assert (setting.limits is not None) == (setting.kind in {"int", "float", "cells"}), setting.name
    flags = [flag for s in SETTINGS for flag in (s.flag, *s.flag_aliases)]
    assert len(flags) == len(set(flags)), "one flag per setting"
    assert SETTING["wall_thickness"].panel == "layout", "the field that once reached no panel"


def _argv(spec: LevelSpec) -> list[str]:
    """The command line that asks for `spec`, every field spelled out from the table."""
    argv = ["generate", "--out", "unused"]
    for setting in SETTINGS:
        value = getattr(spec, setting.name)
        if setting.kind == "bool":
            argv += [setting.flag if value else setting.flag.replace("--", "--no-", 1)]
        elif setting.kind == "cells":
            argv += [setting.flag, *map(str, value)]
        elif setting.kind == "styles":
            argv += [setting.flag, setting.text(value)]
        else:
            argv += [setting.flag, repr(value) if setting.kind == "float" else str(value)]
    return argv


@given(spec=any_specs())
def test_every_field_round_trips_through_json(spec: LevelSpec) -> None:
    assert LevelSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


@given(spec=any_specs(), preset=st.sampled_from(list(LEVEL_PRESETS)))
def test_every_field_round_trips_through_the_command_line(spec: LevelSpec, preset: str) -> None:
    """Whatever the preset, flags for every field give exactly the spec they spell."""
    args = build_parser().parse_args([*_argv(spec), "--preset", preset])
    assert _job(args).spec(args.seed) == spec


@given(preset=st.sampled_from(list(LEVEL_PRESETS)), seed=st.integers(0, 1 << 40))
def test_flags_left_out_come_from_the_preset(preset: str, seed: int) -> None:
    args = build_parser().parse_args(["generate", "--preset", preset, "--seed", str(seed), "--out", "unused"])
    assert _job(args).spec(args.seed) == preset_spec(preset, seed=seed)


def test_floor_styles_on_the_command_line_are_the_api_s(capsys: pytest.CaptureFixture[str]) -> None:
    """--floor-styles takes the keys comma-separated, in generate, batch and walk alike."""
    expected = preset_spec("LEVEL_0", floors=2, floor_styles=("LEVEL_0", "LEVEL_1"))
    flags = ["--floor-styles", "LEVEL_0,LEVEL_1", "--floors", "2"]
    for command in (["generate"], ["batch", "--seeds", "0"], ["walk"]):
        args = build_parser().parse_args([*command, *flags, "--out", "unused"])
        given = {s.name: getattr(args, s.name) for s in SETTINGS if s.name != "seed"}
        assert preset_spec(args.preset, **{k: v for k, v in given.items() if v is not None}) == expected
        if command[0] != "walk":
            assert _job(args).spec(0) == expected
    args = build_parser().parse_args(["generate", "--floor-styles", " LEVEL_0 , LEVEL_37 ", "--floors", "3"])
    assert _job(args).spec(0).floor_styles == ("LEVEL_0", "LEVEL_37")
    assert "--floor-styles STYLE,..." in " ".join(_help(capsys, "walk").split())


def _help(capsys: pytest.CaptureFixture[str], command: str) -> str:
    assert main([command, "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", [["generate"], ["batch", "--seeds", "0-3"], ["walk"]])
@pytest.mark.parametrize(
    ("styles", "floors", "words"),
    [
        ("LEVEL_0,LEVEL_9", 2, "each one of LEVEL_0, LEVEL_1, LEVEL_37, LEVEL_188"),
        ("LEVEL_1,LEVEL_0", 2, "the ground floor's style is the level's style"),
        ("LEVEL_0,LEVEL_1,LEVEL_1", 2, "3 styles for 2 floor(s)"),
        ("LEVEL_0,LEVEL_188,LEVEL_0", 3, "may only be the top floor"),
    ],
)
def test_bad_floor_styles_exit_2_in_one_line_naming_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str], styles: str, floors: int, words: str
) -> None:
    argv = [*command, "--floor-styles", styles, "--floors", str(floors), "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: floor_styles: ") and captured.err.count("\n") == 1, captured.err
    assert words in captured.err
    assert not (tmp_path / "out").exists(), "nothing written"


def test_older_documents_and_flags_with_the_style_s_old_name_still_work() -> None:
    old = {**LevelSpec().to_dict(), "level": "LEVEL_37"}
    del old["style"]
    assert LevelSpec.from_dict(old).style == "LEVEL_37"
    args = build_parser().parse_args(["generate", "--level", "LEVEL_1", "--out", "unused"])
    assert _job(args).spec(0).style == "LEVEL_1"
    assert LevelSpec().replace(level="LEVEL_188").style == "LEVEL_188"
    assert preset_spec("LEVEL_0", level="LEVEL_1") == preset_spec("LEVEL_0", style="LEVEL_1")
    with pytest.raises(InvalidSpecError, match=r"^level: is the older name of style"):
        LevelSpec.from_dict({"level": "LEVEL_1", "style": "LEVEL_37"})
    for bad in ("LEVEL_9", [], None):
        with pytest.raises(InvalidSpecError) as caught:
            LevelSpec.from_dict({"style": bad})
        assert caught.value.field == "style" and "LEVEL_188" in str(caught.value)


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s.limits is not None], ids=lambda s: s.name)
def test_out_of_range_values_are_refused_naming_the_field_and_its_range(setting: Setting) -> None:
    assert setting.limits is not None
    for value in (setting.limits.low - 1, setting.limits.high + 1):
        bad = (value, 0) if setting.kind == "cells" else value
        with pytest.raises(InvalidSpecError) as caught:
            LevelSpec.from_dict({setting.name: bad})
        assert caught.value.field.startswith(setting.name)
        assert setting.limits.describe() in str(caught.value)


def test_help_describes_every_flag_with_its_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    for setting in SETTINGS:
        assert setting.flag in help_text
        assert " ".join(setting.description.split()) in help_text, setting.name
        if setting.limits is not None:
            assert setting.limits.describe() in help_text, setting.name


def test_info_lists_every_setting_and_the_versions() -> None:
    described = info()
    assert list(described["spec_fields"]) == [s.name for s in SETTINGS]  # type: ignore[arg-type]
    width = described["spec_fields"]["width"]  # type: ignore[index]
    assert (width["min"], width["max"], width["unit"], width["flag"]) == (1, 100_000, "cells", "--width")
    assert described["spec_fields"]["style"]["choices"] == list(described["styles"])  # type: ignore[index]
    assert described["numpy_version"] and described["python_version"]
    assert "blender_version" in described


def test_the_docs_spec_table_is_the_settings_table() -> None:
    document = (ROOT / "docs" / "layout-format.md").read_text()
    assert spec_table_markdown() in document, "run tools/spec_table.py"


def test_the_readme_names_every_flag() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [s.flag for s in SETTINGS if f"`{s.flag}" not in readme]
    assert not missing, f"flags the README does not mention: {missing}"
