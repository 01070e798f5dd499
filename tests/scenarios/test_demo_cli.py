"""``medchain demo``: its help names every scenario, and ``--workdir`` keeps the files it names."""

from __future__ import annotations

import re

from click.testing import CliRunner

from medchain.cli import cli, demo
from medchain.scenarios import ALIASES, SCENARIOS


def test_demo_help_lists_every_scenario_and_alias():
    text = demo.help or ""
    for name in [*SCENARIOS, *ALIASES]:
        assert f"{name}" in text


def test_demo_workdir_keeps_the_chart_it_names(tmp_path):
    result = CliRunner().invoke(cli, ["demo", "drugs", "--workdir", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    (path,) = re.findall(r"chart: (\S+\.png)", result.output)
    assert (tmp_path / "demo" / "truck-b.png").samefile(path)
    assert (tmp_path / "demo" / "truck-b.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

