"""``assess``: one patient in, one explained assessment out."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from crampdx.__about__ import __version__
from crampdx.assessment.explain import citations_out, kleene, trigger
from crampdx.assessment.gate import classify_phenomenon
from crampdx.assessment.next_findings import next_findings
from crampdx.assessment.rank import rank_causes, score_causes
from crampdx.assessment.result import (
    Assessment,
    ManagementNote,
    Provenance,
    RankedCause,
    RedFlagOut,
    UnmappedMedication,
)
from crampdx.assessment.workup import plan_workup
from crampdx.engine.base import CompiledKnowledgeBase, Engine
from crampdx.engine.reference import ReferenceEngine
from crampdx.errors import InvalidPatientError, Problem
from crampdx.facts import FactValue, patient_facts
from crampdx.kb.load import KnowledgeBase, load_knowledge_base
from crampdx.kb.model import Note, RedFlag, Urgency
from crampdx.record.io import parse_patient
from crampdx.record.patient import Patient

__all__ = ["assess", "compile_knowledge_base", "default_knowledge_base"]

_lock = threading.Lock()
_default: CompiledKnowledgeBase | None = None


def default_knowledge_base() -> CompiledKnowledgeBase:
    """The shipped knowledge base, loaded, linted and compiled once per process."""
    global _default
    with _lock:
        if _default is None:
            _default = CompiledKnowledgeBase(load_knowledge_base())
        return _default


def compile_knowledge_base(kb: KnowledgeBase | CompiledKnowledgeBase) -> CompiledKnowledgeBase:
    return kb if isinstance(kb, CompiledKnowledgeBase) else CompiledKnowledgeBase(kb)


def _engine_for(compiled: CompiledKnowledgeBase, engine: str | Engine | None) -> Engine:
    if engine is not None and not isinstance(engine, str):
        return engine
    return compiled.engine(engine)


def _check_tests_done(compiled: CompiledKnowledgeBase, patient: Patient) -> None:
    problems = tuple(
        Problem(
            "CDX-P007",
            f"unknown test '{done.test}'; use an id of the workup catalogue "
            f"(e.g. {', '.join(sorted(compiled.kb.catalogue)[:5])}, …)",
            field=f"tests_done.{index}.test",
        )
        for index, done in enumerate(patient.tests_done)
        if done.test not in compiled.kb.catalogue
    )
    if problems:
        raise InvalidPatientError("invalid patient record: unknown test id", problems)


def _red_flags(
    compiled: CompiledKnowledgeBase, fired: tuple[str, ...], facts: Mapping[str, FactValue]
) -> tuple[RedFlagOut, ...]:
    flags: dict[str, RedFlagOut] = {}
    for rule_id in fired:
        rule = compiled.rule_index[rule_id]
        effect = rule.rule.then
        if not isinstance(effect, RedFlag) or effect.red_flag in flags:
            continue
        definition = compiled.kb.red_flags[effect.red_flag]
        flags[effect.red_flag] = RedFlagOut(
            id=definition.id,
            name=definition.name,
            urgency=definition.urgency,
            action=definition.action,
            rule_id=rule_id,
            rule_title=rule.rule.title or rule_id,
            trigger=trigger(rule, facts),
            evidence_grade=rule.rule.evidence.value,
            citations=citations_out(
                compiled,
                tuple({c.key: c for c in rule.rule.citations + definition.citations}.values()),
            ),
        )
    return tuple(sorted(flags.values(), key=lambda f: (-Urgency[f.urgency], f.id)))


def _management(
    compiled: CompiledKnowledgeBase, fired: tuple[str, ...]
) -> tuple[ManagementNote, ...]:
    notes = []
    for rule_id in fired:
        rule = compiled.rule_index[rule_id].rule
        if isinstance(rule.then, Note):
            notes.append(
                ManagementNote(
                    text=rule.then.note,
                    level=rule.then.level,
                    rule_id=rule_id,
                    citations=citations_out(compiled, rule.citations),
                )
            )
    return tuple(notes)


def _overall_urgency(
    red_flags: tuple[RedFlagOut, ...], differential: tuple[RankedCause, ...]
) -> Urgency:
    levels = [Urgency[flag.urgency] for flag in red_flags]
    levels += [Urgency[c.urgency] for c in differential[:3] if c.band == "high"]
    return max(levels, default=Urgency.ROUTINE)


def assess(
    patient: Patient | Mapping[str, Any],
    *,
    knowledge_base: KnowledgeBase | CompiledKnowledgeBase | None = None,
    engine: str | Engine | None = None,
) -> Assessment:
    """Assess one patient: the gate, differential, red flags, workup and next findings.

    Args:
        patient: a :class:`~crampdx.Patient`, or a mapping validated as one.
        knowledge_base: rules to use; the shipped knowledge base by default.
        engine: ``"durable"`` (default where it imports), ``"reference"``, or an engine.

    Returns:
        A frozen :class:`~crampdx.Assessment`; the same input gives byte-identical JSON.

    Raises:
        InvalidPatientError: the record is invalid (every problem is listed).
        EngineError: the engine failed on this patient; no other patient is affected.
    """
    record = patient if isinstance(patient, Patient) else parse_patient(patient)
    compiled = (
        default_knowledge_base()
        if knowledge_base is None
        else compile_knowledge_base(knowledge_base)
    )
    _check_tests_done(compiled, record)
    chosen = _engine_for(compiled, engine)
    # Counterfactual re-assessment runs on the reference engine, which the durable adapter
    # is proven identical to and which can re-run only the rules a changed finding reaches.
    reference = compiled.engine("reference")
    assert isinstance(reference, ReferenceEngine)

    base_facts = patient_facts(record)
    evaluation = chosen.evaluate(base_facts)
    facts: dict[str, FactValue] = dict(base_facts)
    facts.update(dict.fromkeys(evaluation.derived, "present"))

    truths = kleene(compiled, facts)
    fired = evaluation.fired
    scores = score_causes(compiled, fired)
    differential = rank_causes(compiled, scores, facts, truths)
    red_flags = _red_flags(compiled, fired, facts)
    plan = plan_workup(compiled, record, fired, differential, red_flags)
    unmapped = tuple(
        UnmappedMedication(
            name=m.name,
            rxnorm=m.rxnorm,
            reason="not in crampdx's ingredient → drug-class table; review it by hand",
        )
        for m in record.medications
        if not m.classes
    )
    return Assessment(
        patient_id=record.id,
        urgency=_overall_urgency(red_flags, differential).name,
        gate=classify_phenomenon(compiled, fired, facts),
        differential=differential,
        red_flags=red_flags,
        workup=plan.items,
        workup_skipped=plan.skipped,
        no_tests_reason=plan.no_tests_reason,
        next_findings=next_findings(compiled, base_facts, differential, reference),
        management=_management(compiled, fired),
        unmapped_medications=unmapped,
        derived_findings=evaluation.derived,
        provenance=Provenance(
            crampdx_version=__version__,
            knowledge_base_version=compiled.kb.version,
            knowledge_base_hash=compiled.kb.content_hash,
            engine=chosen.name,
            rules_evaluated=len(compiled.rules),
            rules_fired=len(fired),
        ),
    )
