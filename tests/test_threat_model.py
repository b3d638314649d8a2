"""docs/threat-model.md names a test for every abuse case; each name must be a real test.

A renamed or deleted test would otherwise leave a row that promises what nothing checks.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "docs" / "threat-model.md"
# `file.py::test_name` (or `file.py::test_name[case]`) inside backticks.
REFERENCE = re.compile(r"`([\w/]+\.py)::(\w+)(?:\[[^\]`]*\])?`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def _rows() -> list[tuple[str, str]]:
    """(section, row) for every table row under a heading, headers and rules left out."""
    section, rows = "", []
    for line in MODEL.read_text().splitlines():
        if line.startswith("#"):
            section = line.lstrip("# ").strip()
        elif line.startswith("| ") and not line.startswith(("| ---", "| abuse case", "| actor")):
            rows.append((section, line))
    return rows


def test_every_test_the_threat_model_names_exists():
    missing = []
    named = 0
    for file, name in REFERENCE.findall(MODEL.read_text()):
        named += 1
        path = ROOT / "tests" / file
        if not path.exists() or name not in _tests_in(path):
            missing.append(f"{file}::{name}")
    assert named > 150, "the threat model names its tests as `file.py::test_name`"
    assert not missing, "named in docs/threat-model.md but not a test: " + ", ".join(missing)


def test_every_abuse_case_in_the_threat_model_has_a_test():
    untested = [
        f"{section}: {row[:80]}"
        for section, row in _rows()
        if "Who we defend against" not in section and not REFERENCE.search(row)
    ]
    assert not untested, "rows without a test:\n" + "\n".join(untested)
