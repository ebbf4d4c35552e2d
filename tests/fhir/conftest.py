"""Fixtures for the FHIR tests."""

from __future__ import annotations

import pytest

from crampdx import CompiledKnowledgeBase, default_knowledge_base


@pytest.fixture(scope="session")
def knowledge_base() -> CompiledKnowledgeBase:
    """The shipped knowledge base, loaded once per test session."""
    return default_knowledge_base()
