"""The command line's argument handling, which needs no Blender: help text and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from paths import ROOT

from backrooms_addon.cli import EXIT_BAD_INPUT, main
from backrooms_addon.core import LevelSpec
from backrooms_addon.core.levels import preset_spec


def test_help_gives_units_and_ranges(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "region width along x: an integer from 1 to 100000 cells" in help_text
    assert "side of one grid cell: a number from 1 to 8 m" in help_text
    assert "1 the most segmented: a number from 0 to 1" in help_text
    assert "--origin X Y world cell of the region's south-west corner" in help_text
    for name in ("backrooms", "backtracker", "prim", "kruskal", "wilson", "growing_tree", "division"):
        assert name in help_text


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["generate", "--width", "0"], "width"),
        (["generate", "--origin", "0", "-1000000001"], "origin_y"),
        (["generate", "--room-min", "9", "--room-max", "4"], "room_min"),
        (["generate", "--door-height", "3.5", "--wall-height", "3"], "door_height"),
        (["generate", "--piece-chunks", "0"], "piece_chunks"),
        (["generate", "--width", "2.5"], "argument --width"),
        (["generate", "--algorithm", "maze"], "argument --algorithm"),
        (["generate", "--density", "1.5"], "density"),
        (["generate", "--cell-size", "nan"], "cell_size"),
        (["generate", "--formats", "blend,fbx"], "formats"),
        (["generate", "--resolution", "big"], "resolution"),
        (["generate", "--samples", "0"], "samples"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(
    argv: list[str], field: str, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    assert main([*argv, "--out", str(tmp_path / "out")]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {field}: ")
    assert not (tmp_path / "out").exists(), "bad input must not create anything"


def test_bad_input_is_refused_before_blender_is_imported() -> None:
    code = (
        "import sys; sys.modules['bpy'] = None; from backrooms_addon.cli import main; "
        "sys.exit(main(['generate', '--width', '-4']))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == EXIT_BAD_INPUT
    assert result.stderr.startswith("error: width: must be an integer from 1 to 100000 cells")


def test_json_alone_needs_no_blender_and_takes_every_flag(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["generate", "--seed", "5", "--width", "20", "--depth", "12", "--origin", "-7", "900", "--no-perimeter"]
    argv += ["--door-height", "2.3", "--baseboard-height", "0", "--piece-chunks", "2", "--algorithm", "prim"]
    assert main([*argv, "--formats", "json", "--out", str(tmp_path)]) == 0
    document = json.loads((tmp_path / "level0.json").read_text())
    assert (
        document["spec"]
        == LevelSpec(
            seed=5,
            width=20,
            depth=12,
            origin=(-7, 900),
            perimeter=False,
            door_height=2.3,
            baseboard_height=0.0,
            piece_chunks=2,
            algorithm="prim",
        ).to_dict()
    )
    assert "level seed 5:" in capsys.readouterr().out


def test_flags_override_the_chosen_preset(tmp_path) -> None:
    argv = ["generate", "--preset", "LEVEL_0_BLACKOUT", "--seed", "3", "--wear", "0.2", "--no-hum"]
    assert main([*argv, "--formats", "json", "--out", str(tmp_path)]) == 0
    document = json.loads((tmp_path / "level0.json").read_text())
    assert document["spec"] == preset_spec("LEVEL_0_BLACKOUT", seed=3, wear=0.2, hum=False).to_dict()


def test_unknown_preset_exits_2_naming_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--preset", "LEVEL_X", "--formats", "json"]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err.startswith("error: argument --preset: invalid choice: 'LEVEL_X'")


def test_flags_are_never_abbreviated(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    """`batch --seed 3` must not be read as `--seeds 3`, nor --wid as --width."""
    assert main(["batch", "--seed", "3", "--formats", "json", "--out", str(tmp_path)]) == EXIT_BAD_INPUT
    assert main(["generate", "--wid", "3", "--formats", "json", "--out", str(tmp_path)]) == EXIT_BAD_INPUT
    assert "--wid" in capsys.readouterr().err
    assert not any(tmp_path.iterdir()), "nothing was built"


def test_info_reads_blenders_version_without_loading_blender() -> None:
    code = (
        "import json, sys; from backrooms_addon.cli.commands import info; "
        "print(json.dumps([info()['blender_version'], 'bpy' in sys.modules]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    version, loaded = json.loads(result.stdout.strip().splitlines()[-1])
    import importlib.metadata

    assert version == importlib.metadata.version("bpy") and not loaded
