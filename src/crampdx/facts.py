"""Flatten a patient record into named facts, and describe every fact name rules may use.

Rules never see the nested record. They see a flat mapping of fact names to
values, where a name not in the mapping is *unknown*:

* ``state`` facts hold ``"present"`` or ``"absent"`` (e.g. ``exam.fasciculations``,
  ``exam.fasciculations.tongue``, ``cramp.site.calf``, ``drug.thiazide``);
* ``number`` facts hold a float in the canonical unit (``age``, ``lab.potassium``,
  ``lab.calcium_corrected``, ``lab.ck_x_uln``, ``cramp.typical_duration_minutes``);
* ``category`` facts hold one value of a closed set (``sex``, ``exam.reflexes.ankle``,
  ``test.ncs``).

The vocabulary (:data:`VOCABULARY`) is generated from the same model classes
the record is built from, so the linter can check every name a rule uses.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

from crampdx.record.drugs import DrugClass
from crampdx.record.labs import ANALYTES, Analyte, LabResult
from crampdx.record.patient import CrampSite, CrampTiming, Patient, Sex, TestFinding, TestResult
from crampdx.record.states import BodyRegion, Observation, ReflexGrade, Side, State

__all__ = ["VOCABULARY", "FactKind", "FactSpec", "FactValue", "Facts", "patient_facts"]

FactValue = str | float
Facts = Mapping[str, FactValue]
FactKind = Literal["state", "number", "category"]

PRESENT = State.PRESENT.value
ABSENT = State.ABSENT.value

# Prefix of each top-level record section in fact names.
_SECTION_PREFIX = {
    "cramps": "cramp",
    "symptoms": "symptom",
    "exam": "exam",
    "history": "history",
    "pregnancy": "pregnancy",
}
# Enum-valued lists read as complete lists: once one item is given, the others are absent.
_COMPLETE_LISTS: dict[str, type[StrEnum]] = {"sites": CrampSite, "timing": CrampTiming}
_LIST_FACT_NAME = {"sites": "site", "timing": "timing"}

# Default CK upper reference limits by sex (Mayo Clinic Laboratories adult ranges,
# clinical reference §6b), used only when the lab did not report its own range.
_CK_ULN_BY_SEX = {Sex.MALE: 308.0, Sex.FEMALE: 192.0}


@dataclass(frozen=True, slots=True)
class FactSpec:
    """One fact name rules may use."""

    name: str
    kind: FactKind
    question: str
    unit: str | None = None
    values: tuple[str, ...] = ()

    def accepts(self, value: object) -> bool:
        """Is ``value`` a valid value of this fact (used by the rule linter)?"""
        if self.kind == "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        if self.kind == "state":
            return value in (PRESENT, ABSENT)
        return value in self.values


def _unwrap_optional(annotation: object) -> object:
    if typing.get_origin(annotation) is typing.Annotated:
        return _unwrap_optional(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return _unwrap_optional(args[0])
    return annotation


def _is_model(annotation: object) -> typing.TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_enum(annotation: object) -> typing.TypeGuard[type[StrEnum]]:
    return isinstance(annotation, type) and issubclass(annotation, StrEnum)


def _child_name(prefix: str, field: str) -> str:
    return prefix if field == "status" else f"{prefix}.{field}"


def _model_specs(model: type[BaseModel], prefix: str) -> Iterator[FactSpec]:
    for field, info in model.model_fields.items():
        name = _child_name(prefix, field)
        question = info.description or name
        annotation = _unwrap_optional(info.annotation)
        if annotation is Observation:
            yield FactSpec(name, "state", question)
            for region in BodyRegion:
                yield FactSpec(f"{name}.{region.value}", "state", f"{question} ({region.value})")
            yield FactSpec(f"{name}.side", "category", question, values=_values_of(Side))
        elif annotation is State:
            yield FactSpec(name, "state", question)
        elif annotation is ReflexGrade:
            values = tuple(v.value for v in ReflexGrade if v is not ReflexGrade.UNKNOWN)
            yield FactSpec(name, "category", question, values=values)
        elif _is_model(annotation):
            yield from _model_specs(annotation, name)
        elif _is_enum(annotation):
            yield FactSpec(name, "category", question, values=_values_of(annotation))
        elif annotation in (float, int):
            yield FactSpec(name, "number", question)
        elif field in _COMPLETE_LISTS:
            list_name = f"{prefix}.{_LIST_FACT_NAME[field]}"
            for item in _COMPLETE_LISTS[field]:
                yield FactSpec(f"{list_name}.{item.value}", "state", f"{question} ({item.value})")
        # Free text, dates and identifiers are not facts: rules cannot reason on them.


def _values_of(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def _build_vocabulary() -> dict[str, FactSpec]:
    specs: list[FactSpec] = [
        FactSpec("age", "number", "Age in years.", unit="years"),
        FactSpec("sex", "category", "Sex recorded at birth.", values=_values_of(Sex)),
    ]
    for section, prefix in _SECTION_PREFIX.items():
        model = _unwrap_optional(Patient.model_fields[section].annotation)
        assert _is_model(model)
        specs.extend(_model_specs(model, prefix))
    for analyte, spec in ANALYTES.items():
        base = f"lab.{analyte.value}"
        question = f"Measure {spec.name} ({spec.canonical_unit})."
        specs.append(FactSpec(base, "number", question, unit=spec.canonical_unit))
        specs.append(FactSpec(f"{base}.lowest", "number", question, unit=spec.canonical_unit))
        specs.append(FactSpec(f"{base}.highest", "number", question, unit=spec.canonical_unit))
        specs.append(FactSpec(f"{base}.below_reference", "state", question))
        specs.append(FactSpec(f"{base}.above_reference", "state", question))
    specs.append(
        FactSpec(
            "lab.calcium_corrected",
            "number",
            "Albumin-corrected calcium (mmol/L): measure total calcium and albumin.",
            unit="mmol/L",
        )
    )
    specs.append(
        FactSpec(
            "lab.ck_x_uln",
            "number",
            "CK as a multiple of the upper reference limit: measure CK.",
            unit="x ULN",
        )
    )
    for drug_class in DrugClass:
        name = f"drug.{drug_class.value}"
        question = f"Is the patient taking a {drug_class.value.replace('_', ' ')}?"
        specs.append(FactSpec(name, "state", question))
        specs.append(
            FactSpec(f"{name}.started_before_cramps", "state", f"{question} Started before cramps?")
        )
        specs.append(FactSpec(f"{name}.stopped", "state", f"{question} Has it been stopped?"))
    return {spec.name: spec for spec in specs}


def register_tests(test_ids: typing.Iterable[str]) -> dict[str, FactSpec]:
    """Fact specs for results of the catalogue's tests (``test.<id>``, ``test.<id>.<finding>``)."""
    specs: dict[str, FactSpec] = {}
    for test_id in test_ids:
        name = f"test.{test_id}"
        specs[name] = FactSpec(
            name, "category", f"Result of {test_id} if already done.", values=_values_of(TestResult)
        )
        for finding in TestFinding:
            specs[f"{name}.{finding.value}"] = FactSpec(
                f"{name}.{finding.value}", "state", f"{test_id}: {finding.value}"
            )
    return specs


VOCABULARY: Mapping[str, FactSpec] = types.MappingProxyType(_build_vocabulary())


def _observation_facts(name: str, observation: Observation) -> Iterator[tuple[str, FactValue]]:
    if observation.status is State.UNKNOWN:
        return
    yield name, observation.status.value
    if observation.status is State.ABSENT:
        # Absent everywhere: each regional form of the finding is absent too.
        for region in BodyRegion:
            yield f"{name}.{region.value}", ABSENT
        return
    for region in observation.regions:
        yield f"{name}.{region.value}", PRESENT
    if observation.side is not None:
        yield f"{name}.side", observation.side.value


def _model_facts(model: BaseModel, prefix: str) -> Iterator[tuple[str, FactValue]]:
    for field in type(model).model_fields:
        value = getattr(model, field)
        name = _child_name(prefix, field)
        if isinstance(value, Observation):
            yield from _observation_facts(name, value)
        elif isinstance(value, State):
            if value is not State.UNKNOWN:
                yield name, value.value
        elif isinstance(value, ReflexGrade):
            if value is not ReflexGrade.UNKNOWN:
                yield name, value.value
        elif isinstance(value, BaseModel):
            yield from _model_facts(value, name)
        elif isinstance(value, StrEnum):
            yield name, value.value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield name, float(value)
        elif field in _COMPLETE_LISTS and value:
            list_name = f"{prefix}.{_LIST_FACT_NAME[field]}"
            listed = set(value)
            for item in _COMPLETE_LISTS[field]:
                yield f"{list_name}.{item.value}", PRESENT if item in listed else ABSENT


def _latest_first(results: list[LabResult]) -> list[LabResult]:
    # Dated results sort newest first; undated ones keep their order after the dated ones,
    # with the last listed taken as the most recent.
    dated = sorted(
        (r for r in results if r.collected), key=lambda r: r.collected or 0, reverse=True
    )
    undated = [r for r in results if not r.collected][::-1]
    return dated + undated


def _lab_facts(patient: Patient) -> Iterator[tuple[str, FactValue]]:
    by_analyte: dict[Analyte, list[LabResult]] = {}
    for result in patient.labs:
        by_analyte.setdefault(result.analyte, []).append(result)
    latest: dict[Analyte, LabResult] = {}
    for analyte in sorted(by_analyte):
        results = _latest_first(by_analyte[analyte])
        latest[analyte] = results[0]
        base = f"lab.{analyte.value}"
        values = [r.canonical_value for r in results]
        yield base, results[0].canonical_value
        yield f"{base}.lowest", min(values)
        yield f"{base}.highest", max(values)
        low, high = results[0].canonical_range()
        value = results[0].canonical_value
        if low is not None:
            yield f"{base}.below_reference", PRESENT if value < low else ABSENT
        if high is not None:
            yield f"{base}.above_reference", PRESENT if value > high else ABSENT
    calcium, albumin = latest.get(Analyte.CALCIUM_TOTAL), latest.get(Analyte.ALBUMIN)
    reported = latest.get(Analyte.CALCIUM_ADJUSTED)
    if reported is not None:
        # The lab's own adjusted value wins over recomputing it.
        yield "lab.calcium_corrected", reported.canonical_value
    elif calcium is not None and albumin is not None:
        # Adjusted Ca (mmol/L) = Ca + 0.02 x (40 - albumin g/L)  (clinical reference §6b).
        yield (
            "lab.calcium_corrected",
            calcium.canonical_value + 0.02 * (40 - albumin.canonical_value),
        )
    ck = latest.get(Analyte.CK)
    if ck is not None:
        uln = ck.canonical_range()[1]
        if uln is None and patient.sex is not None:
            uln = _CK_ULN_BY_SEX[patient.sex]
        if uln:
            yield "lab.ck_x_uln", ck.canonical_value / uln


def _drug_facts(patient: Patient) -> Iterator[tuple[str, FactValue]]:
    taken: set[DrugClass] = set()
    timing: dict[DrugClass, set[State]] = {}
    still_taken: set[DrugClass] = set()
    for medication in patient.medications:
        for drug_class in medication.classes:
            taken.add(drug_class)
            timing.setdefault(drug_class, set()).add(medication.started_before_cramps)
            if medication.stopped is None:
                still_taken.add(drug_class)
    for drug_class in DrugClass:
        name = f"drug.{drug_class.value}"
        if drug_class in taken:
            yield name, PRESENT
            # Present when any drug of the class preceded the cramps; absent only when
            # every one of them is recorded as started afterwards.
            states = timing[drug_class]
            if State.PRESENT in states:
                yield f"{name}.started_before_cramps", PRESENT
            elif states == {State.ABSENT}:
                yield f"{name}.started_before_cramps", ABSENT
            # Stopped only when every medication of the class carries a stop date.
            yield f"{name}.stopped", ABSENT if drug_class in still_taken else PRESENT
        elif patient.medications_complete:
            yield name, ABSENT


def _test_facts(patient: Patient) -> Iterator[tuple[str, FactValue]]:
    for done in patient.tests_done:
        yield f"test.{done.test}", done.result.value
        for finding in done.findings:
            yield f"test.{done.test}.{finding.value}", PRESENT


def _normalise(value: FactValue) -> FactValue:
    # Numbers are rounded to 6 decimals so that both engines see the same value and
    # no value needs exponent notation (durable_rules rejects '1e-05', §4.2 code 204).
    if isinstance(value, float):
        rounded = round(value, 6)
        return 0.0 if abs(rounded) < 1e-4 else rounded
    return value


def patient_facts(patient: Patient) -> dict[str, FactValue]:
    """The flat facts of one patient; names not in the result are unknown."""
    facts: dict[str, FactValue] = {}
    if patient.age_years is not None:
        facts["age"] = float(patient.age_years)
    if patient.sex is not None:
        facts["sex"] = patient.sex.value
    for section, prefix in _SECTION_PREFIX.items():
        facts.update(_model_facts(getattr(patient, section), prefix))
    facts.update(_lab_facts(patient))
    facts.update(_drug_facts(patient))
    facts.update(_test_facts(patient))
    return {name: _normalise(value) for name, value in sorted(facts.items())}
