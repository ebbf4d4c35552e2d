"""Choosing an engine where durable_rules cannot run (Python 3.13+, failed import)."""

from __future__ import annotations

import sys

import pytest

from crampdx.engine import CompiledKnowledgeBase, available_engines, get_engine
from crampdx.engine import durable as durable_module
from crampdx.engine.reference import ReferenceEngine
from crampdx.errors import EngineUnavailableError


@pytest.fixture
def durable_cannot_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import durable`` fail, as it does on Python 3.13, and forget the last probe."""
    for module in ("durable", "durable.engine", "durable.lang", "durable_rules_engine"):
        monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setattr(durable_module, "_availability", None)


@pytest.fixture
def python_too_new(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend this interpreter is newer than the last one durable_rules supports."""
    running = sys.version_info[:2]
    monkeypatch.setattr(durable_module, "_NEWEST_SUPPORTED_PYTHON", (running[0], running[1] - 1))
    monkeypatch.setattr(durable_module, "_availability", None)


def test_a_failed_import_makes_durable_unavailable(durable_cannot_import: None) -> None:
    assert not durable_module.is_available()
    assert "failed to import" in durable_module.unavailable_reason()
    assert available_engines() == ("reference",)


def test_a_too_new_python_makes_durable_unavailable(python_too_new: None) -> None:
    assert not durable_module.is_available()
    assert "PyEval_CallObject" in durable_module.unavailable_reason()


@pytest.mark.usefixtures("durable_cannot_import")
def test_asking_for_durable_raises_when_unavailable(compiled: CompiledKnowledgeBase) -> None:
    with pytest.raises(EngineUnavailableError, match="failed to import"):
        get_engine(compiled, "durable")
    with pytest.raises(EngineUnavailableError):
        durable_module.DurableEngine(compiled)


@pytest.mark.usefixtures("python_too_new")
def test_the_default_engine_falls_back_to_reference(compiled: CompiledKnowledgeBase) -> None:
    engine = get_engine(compiled)
    assert isinstance(engine, ReferenceEngine)
    assert engine.name == "reference"


def test_the_default_engine_is_durable_where_it_runs(compiled: CompiledKnowledgeBase) -> None:
    if not durable_module.is_available():
        pytest.skip(durable_module.unavailable_reason())
    assert get_engine(compiled).name == "durable"
    assert available_engines() == ("durable", "reference")


def test_unknown_engine_names_are_refused(compiled: CompiledKnowledgeBase) -> None:
    with pytest.raises(EngineUnavailableError, match="unknown engine"):
        get_engine(compiled, "drools")
