"""--estimate and the memory check of a run's formats, before anything is built: no Blender needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import load_script

from backrooms_addon.cli import EXIT_BAD_INPUT, commands, main
from backrooms_addon.core.cost import estimate_run
from backrooms_addon.core.levels import DEFAULT_PRESET, preset_spec


@pytest.fixture
def nothing_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that should stop before building fails the test instead of building."""
    for name in ("_generate", "_batch"):
        monkeypatch.setattr(commands, name, lambda *_: pytest.fail("built a level"))


@pytest.mark.usefixtures("nothing_is_built")
def test_generate_estimate_prints_json_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    argv = ["generate", "--width", "64", "--depth", "48", "--formats", "glb,json", "--estimate", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr()
    estimate = json.loads(printed.out)
    spec = preset_spec(DEFAULT_PRESET, seed=0, width=64, depth=48)
    assert estimate == estimate_run(spec, ["glb", "json"]).to_dict()
    assert estimate["faces"] > 0 and estimate["peak_memory_bytes"] > 0 and estimate["seconds"] > 0
    assert printed.err == "" and list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("nothing_is_built")
def test_batch_estimate_gives_each_level_and_the_total(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    argv = ["batch", "--seeds", "0-9,20", "--shard", "0/2", "--formats", "json", "--estimate", "--out", str(out)]
    assert main(argv) == 0
    estimate = json.loads(capsys.readouterr().out)
    assert estimate["levels"] == 6
    each, total = estimate["per_level"], estimate["total"]
    assert set(each) >= {"faces", "peak_memory_bytes", "seconds"} and set(total) == set(each) - {"formats"}
    assert total["faces"] == 6 * each["faces"] and total["seconds"] > 5 * each["seconds"]
    assert not out.exists()


@pytest.mark.usefixtures("nothing_is_built")
@pytest.mark.parametrize("command", [["generate"], ["batch", "--seeds", "0-3"], ["generate", "--estimate"]])
def test_a_huge_game_export_is_refused_up_front(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    huge = ["--width", "2400", "--depth", "2400", "--formats", "glb", "--out", str(out)]
    assert main([*command, *huge]) == EXIT_BAD_INPUT
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err.count("\n") == 1
    assert printed.err.startswith("error: width: a 2400 x 2400 cell level") and " GiB of memory" in printed.err
    assert not out.exists()


@pytest.mark.usefixtures("nothing_is_built")
def test_a_level_over_a_minute_is_warned_about(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--formats", "glb", "--estimate", "--out", str(tmp_path / "out")]
    assert main(["generate", "--width", "1300", "--depth", "1300", *argv]) == 0
    warning = capsys.readouterr().err
    assert warning.startswith("warning: this level will take about ") and warning.endswith("build and write glb\n")
    assert main(["batch", "--seeds", "0-1", "--width", "1300", "--depth", "1300", *argv]) == 0
    assert capsys.readouterr().err.startswith("warning: each level will take about ")
    assert main(["generate", "--width", "250", "--depth", "250", *argv]) == 0
    assert capsys.readouterr().err == ""


def test_the_estimate_is_within_twice_the_real_peak_of_a_json_run(tmp_path: Path) -> None:
    bench = load_script("benchmarks/bench_estimate.py")
    _, measured = bench.measure(128, "json", None, tmp_path)
    _, estimated = bench.estimate(128, "json", None)
    assert estimated / 2 <= measured <= estimated * 2, (estimated, measured)
