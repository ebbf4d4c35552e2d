"""Every script in examples/ runs as a subprocess, prints an assessment and checks pass."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("[0-9]*.py"))


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, subprocess.Popen[str]]]:
    """Start every example at once (each loads the knowledge base), then let tests wait."""
    started = {
        script.name: subprocess.Popen(
            [sys.executable, str(script)], cwd=EXAMPLES.parent,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for script in SCRIPTS
    }  # fmt: skip
    yield started
    for process in started.values():
        if process.poll() is None:
            process.kill()
            process.wait()


def test_there_are_examples_for_every_scenario() -> None:
    assert len(SCRIPTS) >= 13


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_example_runs_and_its_checks_pass(
    runs: dict[str, subprocess.Popen[str]], script: Path
) -> None:
    stdout, stderr = runs[script.name].communicate(timeout=600)
    assert runs[script.name].returncode == 0, f"{script.name} failed:\n{stderr}\n{stdout[-3000:]}"
    assert "not a diagnosis" in stdout, "each example prints the assessment with its disclaimer"
    assert "checked:" in stdout
    assert "Traceback" not in stderr


def test_readme_lists_every_example() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    missing = [script.name for script in SCRIPTS if script.name not in readme]
    assert not missing, f"examples/README.md does not describe: {missing}"
