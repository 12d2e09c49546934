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


def _one_value_flags(command: str) -> list[tuple[str, str]]:
    """(flag, dest) of every flag of `command` that takes one value."""
    from backrooms_addon.cli.commands import build_parser, flag_sets

    parser = build_parser()
    subparser = next(a for a in parser._actions if a.dest == "command").choices[command]  # type: ignore[index]
    takes_one, _ = flag_sets(subparser)
    return sorted((flag, subparser._option_string_actions[flag].dest) for flag in takes_one)


# A value that starts with '-' is a value: what is wrong with it is reported, naming the flag.
# Not here: --name and --out (a name or folder may start with '-', see below) and --dask (a cluster).
DASH_VALUE_FLAGS = [
    (command, flag, dest)
    for command in ("generate", "batch")
    for flag, dest in _one_value_flags(command)
    if flag not in ("--name", "--out", "--dask")
]


@pytest.mark.parametrize(("command", "flag", "dest"), DASH_VALUE_FLAGS)
def test_every_flag_takes_a_value_that_starts_with_a_dash(
    command: str, flag: str, dest: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = ["--seeds", "0"] if command == "batch" and flag != "--seeds" else []
    argv = [command, *seeds, "--formats", "json", "--out", str(tmp_path / "out"), flag, "-inf"]
    assert main(argv) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "expected one argument" not in err[0]
    assert err[0].startswith((f"error: argument {flag}: ", f"error: {dest}: ")), err[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["generate", "--density", "-inf"], "error: density: must be a number from 0 to 1, got -inf"),
        (["batch", "--seeds", "-5-3"], "error: seeds: must be ranges A-B and seeds N separated by commas, got '-5-3'"),
        (["batch", "--seeds", "0-3", "--shard", "-1/2"], "error: shard: must be K/N with 0 <= K < N (K counts from 0)"),
        (["batch", "--seeds", "0-3", "--jobs", "-2"], "error: jobs: must be an integer from 1 to 64, got -2"),
        (["generate", "--density", "--width", "3"], "error: argument --density: expected one argument"),
    ],
)
def test_negative_values_get_the_real_problem(argv: list[str], line: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--formats", "json"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(line)


def test_negative_numbers_and_dash_names_still_work(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["generate", "--seed", "-3", "--origin", "-5", "-7", "--width", "6", "--depth", "6", "--formats", "json"]
    assert main([*argv, "--name", "-dash", "--out", "-levels"]) == 0
    document = json.loads((tmp_path / "-levels" / "-dash.json").read_text())
    assert document["spec"]["seed"] == -3 and document["spec"]["origin"] == [-5, -7]


@pytest.mark.parametrize(
    "name",
    ["../../escaped", "{tmp}/absolute", "", ".hidden", "{foo}", "{seed.real}", "{seed[0]}", "{}", "a\nb", "x" * 151],
)
@pytest.mark.parametrize("command", ["generate", "batch"])
def test_names_are_plain_file_names_in_the_output_folder(
    command: str, name: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = name.replace("{tmp}", str(tmp_path))
    seeds = ["--seeds", "0-3"] if command == "batch" else []
    out = tmp_path / "a" / "b" / "out"
    assert main([command, *seeds, "--formats", "json", "--out", str(out), "--name", name]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: name: ")
    assert not list(tmp_path.iterdir()), "nothing built, nothing written anywhere"


@pytest.mark.parametrize(
    ("seeds", "name"),
    [
        ("0-20", "x{seed!s:.1}"),  # seeds 1 and 10 share a name
        ("1,10", "x{seed!s:.1}"),
        ("40-50", "{seed:c}"),  # seed 47 is '/'
        ("0-3", "level"),
        ("0-3", "{preset}"),
    ],
)
def test_batch_names_tell_every_seed_apart(seeds: str, name: str, tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["batch", "--seeds", seeds, "--formats", "json", "--out", str(tmp_path / "out"), "--name", name]
    for shard in ([], ["--shard", "0/2"]):  # a shard checks the whole run's names
        assert main([*argv, *shard]) == EXIT_BAD_INPUT
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: name: ")
    assert not (tmp_path / "out").exists()


def test_formatted_names_that_stay_distinct_are_fine(tmp_path) -> None:
    argv = ["batch", "--seeds", "3,12", "--width", "6", "--depth", "6", "--formats", "json"]
    assert main([*argv, "--out", str(tmp_path), "--name", "{preset}-{seed:05d}"]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["LEVEL_0-00003.json", "LEVEL_0-00012.json"]


@pytest.mark.parametrize("out", ["/proc/levels", "/proc", "/sys/levels", "{file}/levels", "{file}", ""])
@pytest.mark.parametrize("command", ["generate", "batch"])
def test_folders_where_nothing_can_be_written_exit_2_before_building(
    command: str, out: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("a file")
    seeds = ["--seeds", "0-3"] if command == "batch" else []
    argv = [command, *seeds, "--formats", "json", "--out", out.replace("{file}", str(tmp_path / "file"))]
    assert main(argv) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(("error: out: ", "error: argument --out: ")), err
    assert (tmp_path / "file").read_text() == "a file"


@pytest.mark.parametrize("value", ["-inf", "-nan", "-1e3", "-2.5"])
def test_an_origin_starting_with_a_minus_is_reported_as_the_value_it_is(
    value: str, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    assert main(["generate", "--origin", "0", value, "--formats", "json", "--out", str(tmp_path)]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err.strip() == f"error: argument --origin: invalid int value: '{value}'"
