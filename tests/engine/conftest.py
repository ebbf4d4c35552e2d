"""Shared fixtures for the engine tests: the shipped knowledge base and fact generators.

Everything is built from whatever is in ``rules/`` when the tests run, never
from a snapshot: the knowledge base grows, and the engines must agree on all of it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest
from hypothesis import strategies as st

from crampdx.engine import CompiledKnowledgeBase, Engine, get_engine
from crampdx.engine import durable as durable_module
from crampdx.facts import FactValue
from crampdx.kb.load import load_knowledge_base
from crampdx.testing.facts import FactSpace, random_facts


def random_patients(
    space: FactSpace, seed: int, count: int, max_facts: int
) -> Iterator[dict[str, FactValue]]:
    """Seeded random fact dictionaries over the names the knowledge base reads."""
    rng = random.Random(seed)
    for _ in range(count):
        size = rng.randint(0, min(max_facts, len(space.names)))
        yield random_facts(rng, space, size)


@st.composite
def _fact_dicts(draw: st.DrawFn, space: FactSpace) -> dict[str, FactValue]:
    """Fact dictionaries over ``space``: a few facts, or most of them.

    Mostly values of each fact's kind and numeric boundaries; sometimes values a
    patient record never yields (the other type, free text, numbers that need an
    exponent), since the engines must agree on any facts.
    """
    smallest = draw(st.sampled_from((0, 0, 10, 40, len(space.names) // 2)))
    names = draw(
        st.lists(
            st.sampled_from(space.names), unique=True, min_size=min(smallest, len(space.names))
        )
    )
    facts: dict[str, FactValue] = {}
    for name in names:
        spec = space.specs.get(name)
        if draw(st.integers(0, 19)) == 0:
            facts[name] = draw(
                st.one_of(
                    st.text(max_size=8),
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from((1e-05, -2.5e-07, 1e16, 5e-324, -0.0, 0.0)),
                )
            )
        elif spec is not None and spec.kind == "category":
            facts[name] = draw(st.sampled_from(spec.values))
        elif spec is not None and spec.kind == "number":
            near = space.thresholds.get(name, (1.0,))
            facts[name] = draw(
                st.one_of(
                    st.sampled_from(near),
                    st.floats(min(near) - 10.0, max(near) + 10.0, allow_nan=False),
                )
            )
        else:
            facts[name] = draw(st.sampled_from(("present", "absent")))
    return facts


@pytest.fixture(scope="session")
def compiled() -> CompiledKnowledgeBase:
    """The shipped knowledge base (``rules/``), loaded and linted as it is right now."""
    return CompiledKnowledgeBase(load_knowledge_base())


@pytest.fixture(scope="session")
def space(compiled: CompiledKnowledgeBase) -> FactSpace:
    return FactSpace.of(compiled)


@pytest.fixture(scope="session")
def reference(compiled: CompiledKnowledgeBase) -> Engine:
    return get_engine(compiled, "reference")


@pytest.fixture(scope="session")
def durable(compiled: CompiledKnowledgeBase) -> Engine:
    if not durable_module.is_available():
        pytest.skip(durable_module.unavailable_reason())
    return get_engine(compiled, "durable")


@pytest.fixture(scope="session")
def fact_dicts(space: FactSpace) -> st.SearchStrategy[dict[str, FactValue]]:
    """A Hypothesis strategy of fact dictionaries over what the knowledge base reads."""
    return _fact_dicts(space)


@pytest.fixture(scope="session")
def make_patients(space: FactSpace) -> Callable[[int, int, int], list[dict[str, FactValue]]]:
    """``make_patients(seed, count, max_facts)``: seeded random fact dictionaries."""

    def make(seed: int, count: int, max_facts: int) -> list[dict[str, FactValue]]:
        return list(random_patients(space, seed, count, max_facts))

    return make
