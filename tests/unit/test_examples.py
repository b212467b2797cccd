"""The rules files shipped in examples/ are what the module deploys: `jit-access policy check` passes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from jit_access.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RULES_FILES = sorted(EXAMPLES.glob("*/rules.yaml"))


def test_there_is_an_example_written_as_a_rules_file():
    assert RULES_FILES, "examples/small-team/rules.yaml shows the yamldecode(file(...)) way"


@pytest.mark.parametrize("path", RULES_FILES, ids=lambda p: p.parent.name)
def test_example_rules_pass_policy_check(path, capsys):
    assert main(["policy", "check", str(path)]) == 0, capsys.readouterr()
