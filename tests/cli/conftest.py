"""Fixtures for the command-line tests: every test runs the installed ``crampdx`` script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY_RULES = ROOT / "tests" / "plugin" / "data" / "tiny_rules"
TINY_CASES = ROOT / "tests" / "plugin" / "data" / "tiny_cases.yaml"

Run = Callable[..., subprocess.CompletedProcess[str]]


def entry_point() -> str:
    """The ``crampdx`` console script installed beside this interpreter."""
    beside = Path(sys.executable).parent / "crampdx"
    found = str(beside) if beside.exists() else shutil.which("crampdx")
    if found is None:
        pytest.fail("the crampdx console script is not installed (pip install -e .)")
    return found


@pytest.fixture(scope="session")
def crampdx() -> Run:
    """Run ``crampdx ARGS...``; returns the completed process (text, never raises on exit)."""
    script = entry_point()

    def run(
        *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "COLUMNS": "120", **(env or {})}
        return subprocess.run(
            [script, *map(str, args)],
            capture_output=True,
            text=True,
            env=environment,
            cwd=cwd,
            timeout=300,
            check=False,
        )

    return run


@pytest.fixture
def tiny_rules(tmp_path: Path) -> Path:
    """A private copy of the tiny knowledge base, safe to break."""
    return Path(shutil.copytree(TINY_RULES, tmp_path / "rules"))


@pytest.fixture(scope="session")
def tiny() -> tuple[str, ...]:
    """Options that load only the tiny test knowledge base (fast, and stable)."""
    return ("--rules", str(TINY_RULES), "--rules-only")


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def tiny_cases_text() -> str:
    return TINY_CASES.read_text()


@pytest.fixture
def low_potassium(tmp_path: Path) -> Path:
    path = tmp_path / "low-k.yaml"
    path.write_text(
        "id: low-k\nage_years: 70\ncramps: {reported: present}\n"
        "labs:\n  - {analyte: potassium, value: 3.0, unit: mmol/L}\n"
    )
    return path
