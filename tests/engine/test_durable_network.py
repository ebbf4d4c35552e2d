"""How knowledge bases become durable networks, on small synthetic rule sets.

These rule sets stress durable's structural limits (rules fed by one alpha node,
tests under one node, joined facts), which the shipped knowledge base does not
reach yet, and every one is checked against the reference engine.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from crampdx.engine import durable as durable_module
from crampdx.engine.durable import (
    MAX_BINDINGS,
    MAX_CHILD_TESTS,
    MAX_RULES_PER_NODE,
    build_network,
    number_literal,
)
from crampdx.engine.reference import ReferenceEngine
from crampdx.errors import EngineError
from crampdx.facts import FactValue
from crampdx.kb.compile import CompiledRule, compile_rules
from crampdx.kb.model import Rule


class SyntheticKnowledgeBase:
    """Just what engines read from a CompiledKnowledgeBase: ``rules`` and ``findings``."""

    def __init__(self, rules: list[dict[str, Any]]) -> None:
        self.rules: tuple[CompiledRule, ...] = compile_rules(
            tuple(Rule.model_validate(rule) for rule in rules)
        )
        self.findings = frozenset(name for rule in self.rules for name in rule.findings)


def rule(rule_id: str, when: dict[str, Any], then: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": rule_id,
        "version": 1,
        "when": when,
        "then": then or {"note": "synthetic", "level": "info"},
        "evidence": "D",
        "citations": ["synthetic"],
    }


def leaf(finding: str, op: str, value: object = None) -> dict[str, Any]:
    return {"finding": finding, "op": op} | ({} if value is None else {"value": value})


def durable_engine(kb: SyntheticKnowledgeBase) -> Any:
    if not durable_module.is_available():
        pytest.skip(durable_module.unavailable_reason())
    return durable_module.DurableEngine(kb)  # type: ignore[arg-type]


def agree(kb: SyntheticKnowledgeBase, patients: Sequence[Mapping[str, FactValue]]) -> None:
    durable, reference = durable_engine(kb), ReferenceEngine(kb)  # type: ignore[arg-type]
    for facts in patients:
        assert durable.evaluate(facts) == reference.evaluate(facts), facts


@pytest.mark.parametrize(
    "value", [3.5, 0.1, -0.0, 1e-05, 5e-324, 1e16, 1e22, 1.7976931348623157e308, 123456789.125]
)
def test_numbers_are_written_exactly_without_exponent(value: float) -> None:
    text = number_literal(value)
    assert "e" not in text.lower()
    assert "." in text  # durable reads a number without a dot as a 64-bit integer
    assert float(text) == value
    assert math.copysign(1, float(text)) == math.copysign(1, value)


def test_identical_alternatives_become_one_durable_rule() -> None:
    shared = leaf("symptom.weakness", "present")
    kb = SyntheticKnowledgeBase(
        [rule(f"syn.r{i}", {"any": [shared, leaf(f"exam.x{i}", "present")]}) for i in range(5)]
    )
    network = build_network(kb)  # type: ignore[arg-type]
    merged = [group for group in network.groups if len(group.rule_ids) > 1]
    assert len(network.groups) == 6
    assert [sorted(group.rule_ids) for group in merged] == [[f"syn.r{i}" for i in range(5)]]
    agree(kb, [{"symptom.weakness": "present"}, {"exam.x3": "present"}, {}])


def test_an_alpha_node_never_feeds_more_rules_than_durable_can_hold() -> None:
    # 3 x MAX_RULES_PER_NODE rules join the same first fact: without splitting, durable
    # rejects the ruleset (error 108) or writes past the end of a 256-entry list.
    count = 3 * MAX_RULES_PER_NODE
    others = [f"ns{i % 4}.x{i}" for i in range(count)]  # under 500 names per namespace
    kb = SyntheticKnowledgeBase(
        [
            rule(f"syn.r{i}", {"all": [leaf("cramp.reported", "present"), leaf(other, "present")]})
            for i, other in enumerate(others)
        ]
    )
    network = build_network(kb)  # type: ignore[arg-type]
    feeds: dict[Any, int] = {}
    for group in network.groups:
        for chain in group.chains:
            feeds[chain] = feeds.get(chain, 0) + 1
    assert max(feeds.values()) <= MAX_RULES_PER_NODE
    everything = dict.fromkeys(others, "present")
    patients: list[Mapping[str, FactValue]] = [
        {"cramp.reported": "present"} | everything,
        {"cramp.reported": "absent"} | everything,
    ]
    rng = random.Random(5)
    for _ in range(20):
        picked = rng.sample(others, 30)
        patients.append({"cramp.reported": "present"} | dict.fromkeys(picked, "present"))
    agree(kb, patients)


def test_too_many_tests_under_one_node_are_refused_not_hung() -> None:
    # durable's create_ruleset never returns once a node's 512-slot table is full.
    kb = SyntheticKnowledgeBase(
        [rule(f"syn.r{i}", leaf(f"exam.x{i}", "present")) for i in range(MAX_CHILD_TESTS + 1)]
    )
    with pytest.raises(EngineError, match="distinct tests follow kind eq 'exam'"):
        build_network(kb)  # type: ignore[arg-type]


def test_too_many_joined_facts_are_refused() -> None:
    joined = [leaf(f"exam.x{i}", "present") for i in range(MAX_BINDINGS + 1)]
    kb = SyntheticKnowledgeBase([rule("syn.wide", {"all": joined})])
    with pytest.raises(EngineError, match="joins 17 facts"):
        build_network(kb)  # type: ignore[arg-type]


def test_exponent_thresholds_are_refused() -> None:
    kb = SyntheticKnowledgeBase([rule("syn.tiny", leaf("lab.tsh", "lt", 1e-05))])
    with pytest.raises(EngineError, match="exponent"):
        build_network(kb)  # type: ignore[arg-type]


def test_every_operator_matches_the_reference_including_mistyped_facts() -> None:
    kb = SyntheticKnowledgeBase(
        [
            rule("syn.eq", leaf("exam.reflexes.ankle", "eq", "absent")),
            rule("syn.ne", leaf("exam.reflexes.ankle", "ne", "absent")),
            rule("syn.in", leaf("exam.reflexes.ankle", "in", ["absent", "reduced"])),
            rule("syn.not_in", leaf("exam.reflexes.ankle", "not_in", ["absent", "reduced"])),
            rule("syn.num_eq", leaf("lab.potassium", "eq", 3.5)),
            rule("syn.num_ne", leaf("lab.potassium", "ne", 3.5)),
            rule("syn.lt", leaf("lab.potassium", "lt", 3.5)),
            rule("syn.le", leaf("lab.potassium", "le", 3.5)),
            rule("syn.gt", leaf("lab.potassium", "gt", 3.5)),
            rule("syn.ge", leaf("lab.potassium", "ge", 3.5)),
            rule(
                "syn.both",
                {"all": [leaf("lab.potassium", "gt", 3.0), leaf("lab.potassium", "lt", 4.0)]},
            ),
            rule(
                "syn.never",
                {"all": [leaf("symptom.weakness", "present"), leaf("symptom.weakness", "absent")]},
            ),
            rule(
                "syn.derive", leaf("lab.potassium", "lt", 3.5), {"derive": "derived.low_potassium"}
            ),
            rule(
                "syn.chain",
                {
                    "all": [
                        leaf("derived.low_potassium", "present"),
                        leaf("symptom.weakness", "present"),
                    ]
                },
            ),
        ]
    )
    values: list[FactValue | None] = [
        *("absent", "reduced", "normal", "present", ""),
        *(3.5, 3.0, 4.0, math.nextafter(3.5, 0), math.nextafter(3.5, 9), -0.0, 1e-05),
        None,  # unknown
    ]
    patients: list[dict[str, FactValue]] = [
        {name: value for name, value in pair if value is not None}
        for reflex, potassium in itertools.product(values, repeat=2)
        for pair in [(("exam.reflexes.ankle", reflex), ("lab.potassium", potassium))]
    ]
    patients += [
        {"lab.potassium": k, "symptom.weakness": weakness}
        | ({} if given is None else {"derived.low_potassium": given})
        for k in (3.0, 3.5, 4.0)
        for weakness in ("present", "absent")
        for given in (None, "present", "absent")
    ]
    agree(kb, patients)


def _fnv1a_32(text: str) -> int:
    # durable's fnv1Hash32 (state.c) over the UTF-8 bytes, with C's signed char.
    value = 0x811C9DC5
    for byte in text.encode():
        value ^= byte - 256 if byte > 127 else byte
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value


def test_property_and_binding_names_have_distinct_hashes() -> None:
    # durable looks properties and bindings up by 32-bit hash only, never by name.
    properties = [
        durable_module.KIND,
        durable_module.NAME,
        durable_module.TEXT,
        durable_module.NUMBER,
        "sid",
        "id",
        "$s",
    ]
    bindings = [f"b{position}" for position in range(MAX_BINDINGS)]
    assert _fnv1a_32("sid") == 3593476751  # durable's HASH_SID: the same function
    assert len({_fnv1a_32(name) for name in properties}) == len(properties)
    assert len({_fnv1a_32(name) for name in bindings}) == len(bindings)
