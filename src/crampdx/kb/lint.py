"""Cross-file checks of a loaded knowledge base.

Each check reports :class:`~crampdx.errors.Problem` entries with a stable code
(documented in ``docs/errors.md``) and the file:line:column of the offending node:

======== ==========================================================================
CDX-L001 a rule tests a fact name that is not in the vocabulary
CDX-L002 an id is defined twice (reported by the loader)
CDX-L003 a rule id does not start with its file's cause id (reported by the loader)
CDX-L004 a citation key is not in any ``references`` section
CDX-L005 an effect names an unknown cause, red flag, test or phenomenon
CDX-L006 derived findings depend on each other in a cycle
CDX-L007 a rule lacks a ``fires`` or a ``does_not_fire`` test case
CDX-L008 a test's value does not fit the fact (number vs state vs category)
CDX-L009 a derived finding is tested with anything but ``present`` (after ``not``)
CDX-L010 a rule exceeds a durable_rules limit (alternatives, bindings, tests per node,
         rules sharing one condition)
CDX-L011 a number is not finite or needs an exponent (durable_rules error 204)
CDX-L012 a cause's ``confirm_with``/``mechanisms`` or a test's prerequisite is unknown
CDX-L013 an inline test case is not a valid patient record
======== ==========================================================================
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

from pydantic import ValidationError

from crampdx.errors import Problem
from crampdx.facts import VOCABULARY, FactSpec, register_tests
from crampdx.kb.compile import MAX_ALTERNATIVES, Conjunction, compile_condition, compile_rules
from crampdx.kb.load import KnowledgeBase, Located
from crampdx.kb.model import (
    AllOf,
    Citation,
    Condition,
    Derive,
    Leaf,
    Not,
    Opposes,
    Order,
    Phenomenon,
    RedFlag,
    Rule,
    Supports,
)
from crampdx.record.patient import Patient

__all__ = [
    "DURABLE_MAX_BINDINGS",
    "DURABLE_MAX_NODE_TESTS",
    "lint_knowledge_base",
    "vocabulary_for",
]

# durable_rules 2.0.28 limits (engineering notes §0, §4.1): 16 facts joined per rule,
# 512 distinct alpha tests under one node (the 513th hangs create_ruleset forever).
DURABLE_MAX_BINDINGS = 16
DURABLE_MAX_NODE_TESTS = 500
# At most 256 rules may share an identical condition (durable_rules error 108).
DURABLE_MAX_SHARED_CONDITION = 256


def vocabulary_for(kb: KnowledgeBase) -> dict[str, FactSpec]:
    """The fact names rules in ``kb`` may use: the record's, the catalogue's and derived ones."""
    vocabulary = dict(VOCABULARY)
    vocabulary.update(register_tests(kb.catalogue))
    for derived in kb.derived.values():
        vocabulary[derived.id] = FactSpec(
            derived.id, "state", derived.question or derived.description
        )
    return vocabulary


def _leaves(
    condition: Condition, path: tuple[str | int, ...]
) -> Iterator[tuple[Leaf, tuple[str | int, ...]]]:
    if isinstance(condition, Leaf):
        yield condition, path
    elif isinstance(condition, Not):
        yield from _leaves(condition.negated, (*path, "not"))
    else:
        key = "all" if isinstance(condition, AllOf) else "any"
        parts = condition.all if isinstance(condition, AllOf) else condition.any
        for index, part in enumerate(parts):
            yield from _leaves(part, (*path, key, index))


def _needs_exponent(value: float) -> bool:
    # NaN and infinities have no JSON form durable_rules can read either.
    return not math.isfinite(value) or "e" in repr(value).lower()


class _Linter:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.vocabulary = vocabulary_for(kb)
        self.problems: list[Problem] = []

    def report(
        self,
        code: str,
        message: str,
        where: Located | None,
        *path: str | int,
        rule_id: str | None = None,
    ) -> None:
        line, column = (None, None) if where is None else where.at(*path)
        self.problems.append(
            Problem(
                code,
                message,
                path=None if where is None else where.path,
                line=line,
                column=column,
                rule_id=rule_id,
            )
        )

    def citations(
        self,
        citations: tuple[Citation, ...],
        where: Located | None,
        *path: str | int,
        rule_id: str | None = None,
    ) -> None:
        for index, citation in enumerate(citations):
            if citation.key not in self.kb.references:
                self.report(
                    "CDX-L004",
                    f"unknown citation key '{citation.key}'",
                    where,
                    *path,
                    index,
                    rule_id=rule_id,
                )

    def run(self) -> list[Problem]:
        kb = self.kb
        for cause in kb.causes.values():
            where = kb.origins.get(f"cause:{cause.id}")
            self.citations(cause.citations, where, "citations")
            for index, test in enumerate(cause.confirm_with):
                if test not in kb.catalogue:
                    self.report(
                        "CDX-L012",
                        f"confirm_with names unknown test '{test}'",
                        where,
                        "confirm_with",
                        index,
                    )
            for index, other in enumerate(cause.mechanisms):
                if other not in kb.causes:
                    self.report(
                        "CDX-L012",
                        f"mechanisms names unknown cause '{other}'",
                        where,
                        "mechanisms",
                        index,
                    )
        for entry in kb.catalogue.values():
            where = kb.origins.get(f"test:{entry.id}")
            self.citations(entry.citations, where, "citations")
            for index, prerequisite in enumerate(entry.prerequisites):
                if prerequisite not in kb.catalogue:
                    self.report(
                        "CDX-L012",
                        f"unknown prerequisite test '{prerequisite}'",
                        where,
                        "prerequisites",
                        index,
                    )
        for flag in kb.red_flags.values():
            self.citations(flag.citations, kb.origins.get(f"red_flag:{flag.id}"), "citations")
        for phenomenon in kb.phenomena.values():
            self.citations(
                phenomenon.citations, kb.origins.get(f"phenomenon:{phenomenon.id}"), "citations"
            )
        for rule in kb.rules:
            self.rule(rule)
        self.cycles()
        self.node_limits()
        return self.problems

    def rule(self, rule: Rule) -> None:
        where = self.kb.origins.get(f"rule:{rule.id}")
        self.citations(rule.citations, where, "citations", rule_id=rule.id)
        self.effect(rule, where)
        for leaf, path in _leaves(rule.when, ("when",)):
            self.leaf(rule, leaf, where, path)
        alternatives = compile_condition(rule.when)
        if len(alternatives) > MAX_ALTERNATIVES:
            self.report(
                "CDX-L010",
                f"condition expands to {len(alternatives)} alternatives "
                f"(limit {MAX_ALTERNATIVES}); split the rule",
                where,
                "when",
                rule_id=rule.id,
            )
        for alternative in alternatives:
            bindings = len({test.finding for test in alternative})
            if bindings > DURABLE_MAX_BINDINGS:
                self.report(
                    "CDX-L010",
                    f"an alternative joins {bindings} facts "
                    f"(durable_rules limit {DURABLE_MAX_BINDINGS})",
                    where,
                    "when",
                    rule_id=rule.id,
                )
            for test in alternative:
                if test.finding.startswith("derived.") and test.op != "present":
                    self.report(
                        "CDX-L009",
                        f"derived finding '{test.finding}' can only be tested "
                        "with 'present' (it is never recorded as absent)",
                        where,
                        "when",
                        rule_id=rule.id,
                    )
        if rule.status.value == "active":
            if not rule.tests.fires or not rule.tests.does_not_fire:
                self.report(
                    "CDX-L007",
                    "a rule needs at least one 'fires' and one 'does_not_fire' test case",
                    where,
                    "tests",
                    rule_id=rule.id,
                )
            for kind in ("fires", "does_not_fire"):
                for index, snippet in enumerate(getattr(rule.tests, kind)):
                    try:
                        Patient.model_validate(snippet)
                    except ValidationError as error:
                        first = error.errors(include_url=False)[0]
                        field = ".".join(str(part) for part in first["loc"])
                        self.report(
                            "CDX-L013",
                            f"test case is not a valid patient: {field}: {first['msg']}",
                            where,
                            "tests",
                            kind,
                            index,
                            rule_id=rule.id,
                        )

    def leaf(
        self, rule: Rule, leaf: Leaf, where: Located | None, path: tuple[str | int, ...]
    ) -> None:
        spec = self.vocabulary.get(leaf.finding)
        if spec is None:
            self.report(
                "CDX-L001",
                f"unknown finding '{leaf.finding}'",
                where,
                *path,
                "finding",
                rule_id=rule.id,
            )
            return
        numeric_ops = {"lt", "le", "gt", "ge"}
        problem = None
        if spec.kind == "state" and leaf.op not in ("present", "absent"):
            problem = f"'{leaf.finding}' is present/absent: use op 'present' or 'absent'"
        elif spec.kind == "number" and leaf.op not in numeric_ops | {"eq", "ne"}:
            problem = f"'{leaf.finding}' is a number: use lt, le, gt, ge, eq or ne"
        elif spec.kind == "number" and not isinstance(leaf.value, float):
            problem = f"'{leaf.finding}' is a number: the value must be a number"
        elif spec.kind == "category":
            values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
            if leaf.op in numeric_ops | {"present", "absent"}:
                problem = (
                    f"'{leaf.finding}' takes one of {list(spec.values)}: use eq, ne, in or not_in"
                )
            elif any(value not in spec.values for value in values):
                problem = f"'{leaf.finding}' takes one of {list(spec.values)}, not {list(values)}"
        if problem:
            self.report("CDX-L008", problem, where, *path, "value", rule_id=rule.id)
        if isinstance(leaf.value, float) and _needs_exponent(leaf.value):
            self.report(
                "CDX-L011",
                f"value {leaf.value!r} needs exponent notation; durable_rules cannot parse it",
                where,
                *path,
                "value",
                rule_id=rule.id,
            )

    def effect(self, rule: Rule, where: Located | None) -> None:
        effect = rule.then
        target: tuple[str, Mapping[str, object]] | None = None
        if isinstance(effect, Supports | Opposes):
            name = effect.supports if isinstance(effect, Supports) else effect.opposes
            target = (name, self.kb.causes)
        elif isinstance(effect, RedFlag):
            target = (effect.red_flag, self.kb.red_flags)
        elif isinstance(effect, Order):
            target = (effect.order, self.kb.catalogue)
        elif isinstance(effect, Phenomenon):
            target = (effect.phenomenon, self.kb.phenomena)
        elif isinstance(effect, Derive) and effect.derive not in self.kb.derived:
            self.report(
                "CDX-L005",
                f"'{effect.derive}' is not declared in a 'derived' section",
                where,
                "then",
                rule_id=rule.id,
            )
        if target is not None and target[0] not in target[1]:
            self.report(
                "CDX-L005", f"effect names unknown '{target[0]}'", where, "then", rule_id=rule.id
            )

    def cycles(self) -> None:
        try:
            compile_rules(self.kb.rules)
        except ValueError as error:
            self.report("CDX-L006", str(error), None)

    def node_limits(self) -> None:
        shared: dict[Conjunction, int] = {}
        for rule in self.kb.active_rules():
            for alternative in compile_condition(rule.when):
                shared[alternative] = shared.get(alternative, 0) + 1
        for alternative, count in sorted(shared.items(), key=lambda item: -item[1])[:1]:
            if count > DURABLE_MAX_SHARED_CONDITION:
                self.report(
                    "CDX-L010",
                    f"{count} rules share the condition {alternative!r} "
                    f"(durable_rules limit {DURABLE_MAX_SHARED_CONDITION})",
                    None,
                )
        # Facts of one namespace share an alpha node per name test in the durable network.
        names: dict[str, set[str]] = {}
        for rule in self.kb.rules:
            for leaf, _ in _leaves(rule.when, ()):
                names.setdefault(leaf.finding.split(".", 1)[0], set()).add(leaf.finding)
        for namespace, members in sorted(names.items()):
            if len(members) > DURABLE_MAX_NODE_TESTS:
                self.report(
                    "CDX-L010",
                    f"{len(members)} distinct '{namespace}.*' facts are tested "
                    f"(durable_rules hangs past 512 per node; limit {DURABLE_MAX_NODE_TESTS})",
                    None,
                )


def lint_knowledge_base(kb: KnowledgeBase) -> list[Problem]:
    """Every cross-file problem in ``kb`` (an empty list when it is clean)."""
    return _Linter(kb).run()
