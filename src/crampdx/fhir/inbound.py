"""FHIR R4 → crampdx patient record, with a report of everything that was not mapped.

:func:`patient_from_fhir` reads Patient, Observation, Condition, MedicationRequest,
MedicationStatement, Medication, Procedure and DiagnosticReport resources through the
curated tables in :mod:`crampdx.fhir.codes`. Any other resource, and any code those
tables do not hold, is listed in the report with the reason. Nothing is guessed:
units are taken from ``valueQuantity.code`` (UCUM) and converted only through the
analyte table in :mod:`crampdx.record.labs`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from crampdx.errors import InteropError, Problem
from crampdx.fhir import codes as C
from crampdx.fhir.errors import FhirUnitError, FhirValueError
from crampdx.fhir.read import FhirInput, ReadResource, ReadResult, read_resources
from crampdx.fhir.report import IssueKind, MappedItem, MappingIssue, MappingReport, MappingResult
from crampdx.record.drugs import INGREDIENTS, Ingredient, Medication, lookup
from crampdx.record.io import patient_problems
from crampdx.record.labs import ANALYTES, Analyte, LabResult, ReferenceRange, normalise_unit
from crampdx.record.patient import Patient, TestDone, TestResult
from crampdx.record.states import BodyRegion

__all__ = ["patient_from_fhir"]

# A drug stopped this recently still matters (the record holds what the patient "takes or
# recently took"); older ones are listed in the report only.
RECENTLY_STOPPED_DAYS = 90
_USED_OBSERVATION_STATUS = frozenset({"final", "amended", "corrected"})
_USED_REPORT_STATUS = frozenset({"final", "amended", "corrected", "appended"})
_PRESENT_CLINICAL_STATUS = frozenset({"active", "recurrence", "relapse", "remission"})
# A resolved condition still answers "has the patient ever had …" questions.
_LIFETIME_PATHS = (
    "history.spinal_cord_injury",
    "history.prior_polio",
    "history.cancer",
    "history.malabsorption_or_bariatric_surgery",
    "history.smoking",
    "history.cardiovascular_disease",
    "history.multiple_sclerosis",
)
_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
_CLINICAL_FINDING = "404684003"
_HANDLED_TYPES = frozenset(
    {
        "Patient",
        "Observation",
        "Condition",
        "MedicationRequest",
        "MedicationStatement",
        "Medication",
        "Procedure",
        "DiagnosticReport",
    }
)

Coding = tuple[str, str, str | None]  # system, code, display


# --- small readers for R4B model values ---------------------------------------------------


def _codings(concept: Any) -> list[Coding]:
    if concept is None:
        return []
    found: list[Coding] = []
    for coding in concept.coding or []:
        if coding.code:
            found.append((str(coding.system or ""), str(coding.code), coding.display))
    return found


def _all_codings(concepts: Iterable[Any] | None) -> list[Coding]:
    return [coding for concept in concepts or [] for coding in _codings(concept)]


def _label(concept: Any) -> str | None:
    if concept is None:
        return None
    if concept.text:
        return str(concept.text)
    return next((str(c.display) for c in concept.coding or [] if c.display), None)


def _key(system: str, code: str) -> str:
    return f"{system}|{code}" if system else code


def _to_date(value: Any) -> dt.date | None:
    """A date from a FHIR date/dateTime/instant; partial dates give their first day."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", str(value))
    if match is None:
        return None
    year, month, day = match.groups()
    return dt.date(int(year), int(month or 1), int(day or 1))


def _period_start(period: Any) -> Any:
    return None if period is None else period.start


def _resource_date(resource: Any) -> dt.date | None:
    """The clinically relevant date of a resource (when it was observed, recorded or done)."""
    for name in (
        "effectiveDateTime",
        "effectiveInstant",
        "performedDateTime",
        "onsetDateTime",
        "recordedDate",
        "authoredOn",
        "dateAsserted",
        "issued",
    ):
        value = getattr(resource, name, None)
        if value is not None:
            return _to_date(value)
    for name in ("effectivePeriod", "performedPeriod", "onsetPeriod"):
        value = _period_start(getattr(resource, name, None))
        if value is not None:
            return _to_date(value)
    return None


def _float(value: Decimal | float | int) -> float:
    return float(value)


# --- the mapper --------------------------------------------------------------------------------


@dataclass
class _Sign:
    status: str
    regions: set[BodyRegion] = field(default_factory=set)
    source: str = ""


@dataclass
class _Med:
    ingredient: Ingredient | None
    name: str
    started: dt.date | None
    sources: list[str]
    stopped: dt.date | None = None  # None: still taken


class _Mapper:
    def __init__(
        self,
        read: ReadResult,
        assessment_date: dt.date,
        strict: bool,
        patient_id: str | None = None,
    ) -> None:
        self.assessment_date = assessment_date
        self.expected_patient = patient_id
        self.strict = strict
        self.values: dict[str, tuple[str | int, str]] = {}
        self.signs: dict[str, _Sign] = {}
        self.labs: list[LabResult] = []
        self.medications: dict[str, _Med] = {}
        self.tests: list[tuple[dt.date | None, TestDone, str]] = []
        self.mapped: list[MappedItem] = []
        self.issues: list[MappingIssue] = []
        self.problems: list[Problem] = []
        self.patient_fields: dict[str, Any] = {}
        self.read = read
        self.by_alias: dict[str, Any] = {}
        self.resources = self._unique(read.resources)
        self.patient_aliases = self._patient_aliases()

    # -- bookkeeping ------------------------------------------------------------------------

    def _unique(self, resources: Iterable[ReadResource]) -> list[ReadResource]:
        # The same resource may arrive twice (overlapping prefetch queries): read it once.
        seen: dict[str, ReadResource] = {}
        for item in resources:
            if item.ref in seen and "#" not in item.ref:
                continue
            seen[item.ref] = item
            for alias in item.aliases:
                self.by_alias[alias] = item.resource
        return list(seen.values())

    def issue(
        self,
        ref: str,
        kind: IssueKind,
        reason: str,
        coding: Coding | None = None,
        problem_code: str | None = None,
    ) -> None:
        self.issues.append(
            MappingIssue(
                resource=ref,
                kind=kind,
                reason=reason,
                code=None if coding is None else _key(coding[0], coding[1]),
                display=None if coding is None else coding[2],
                problem_code=problem_code,
            )
        )

    def map(self, ref: str, target: str, value: object, coding: Coding | None = None) -> None:
        self.mapped.append(
            MappedItem(
                resource=ref,
                code=None if coding is None else _key(coding[0], coding[1]),
                target=target,
                value=None if value is None else str(value),
            )
        )

    def set_value(self, path: str, value: str | int, ref: str, coding: Coding | None) -> None:
        previous = self.values.get(path)
        if previous is not None and previous[0] != value:
            old_value, old_ref = previous
            if old_value == "present" and value == "absent":
                self.issue(
                    ref,
                    "assumption",
                    f"{path} is recorded absent here but present in {old_ref}; kept present",
                    coding,
                )
                return
            if not (old_value == "absent" and value == "present"):
                self.issue(
                    ref,
                    "assumption",
                    f"{path} was {old_value} in {old_ref}; the later record ({value}) is used",
                    coding,
                )
        self.values[path] = (value, ref)
        self.map(ref, path, value, coding)

    def set_sign(
        self, path: str, status: str, regions: Iterable[BodyRegion], ref: str, coding: Coding
    ) -> None:
        sign = self.signs.get(path)
        if sign is None or (sign.status == "absent" and status == "present"):
            self.signs[path] = sign = _Sign(status, set(), ref)
        elif sign.status == "present" and status == "absent":
            self.issue(
                ref,
                "assumption",
                f"{path} is recorded absent here but present in {sign.source}; kept present",
                coding,
            )
            return
        if status == "present":
            sign.regions.update(regions)
        self.map(ref, path, status, coding)

    # -- patient identity ----------------------------------------------------------------------

    def _patient_aliases(self) -> frozenset[str]:
        patients = [item for item in self.resources if item.ref.startswith("Patient/")]
        if len(patients) > 1:
            raise InteropError(
                f"the FHIR input holds {len(patients)} different patients; "
                "map one patient at a time",
                (Problem("CDX-I003", "more than one Patient resource"),),
            )
        expected = None if self.expected_patient is None else f"Patient/{self.expected_patient}"
        if patients:
            if expected is not None and patients[0].ref != expected:
                raise InteropError(
                    f"the Patient resource is not the expected patient ({expected})",
                    (Problem("CDX-I004", "unexpected Patient resource"),),
                )
            return patients[0].aliases
        if expected is not None:
            return frozenset({expected})
        subjects = {
            ref for item in self.resources if (ref := self._subject(item.resource)) is not None
        }
        if len(subjects) > 1:
            raise InteropError(
                "the FHIR input refers to more than one patient and holds no Patient resource",
                (Problem("CDX-I003", "resources for several patients"),),
            )
        return frozenset(subjects)

    @staticmethod
    def _subject(resource: Any) -> str | None:
        subject = getattr(resource, "subject", None) or getattr(resource, "patient", None)
        reference = getattr(subject, "reference", None)
        return None if reference is None else str(reference)

    def _belongs(self, resource: Any) -> bool:
        reference = self._subject(resource)
        if reference is None or not self.patient_aliases:
            return True
        if reference in self.patient_aliases:
            return True
        # Absolute URLs ('https://ehr/fhir/Patient/123') match the relative alias.
        return any(
            alias.startswith("Patient/") and reference.endswith(f"/{alias}")
            for alias in self.patient_aliases
        )

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> MappingResult:
        for invalid in self.read.invalid:
            self.issue(invalid.ref, "error", invalid.reason, problem_code="CDX-I001")
        for ref, resource_type in self.read.skipped:
            self.issue(ref, "ignored", f"{resource_type} resources are not used by crampdx")
        for message in self.read.outcomes:
            self.issue("OperationOutcome", "ignored", f"the FHIR server reported: {message}")
        ordered = sorted(
            self.resources, key=lambda item: _resource_date(item.resource) or dt.date.min
        )
        for item in ordered:
            self._dispatch(item)
        return self._build()

    def _dispatch(self, item: ReadResource) -> None:
        resource = item.resource
        resource_type = resource.get_resource_type()
        if resource_type not in _HANDLED_TYPES:
            self.issue(item.ref, "ignored", f"{resource_type} resources are not used by crampdx")
            return
        if resource_type != "Patient" and not self._belongs(resource):
            self.issue(item.ref, "ignored", "belongs to another patient")
            return
        when = _resource_date(resource)
        if resource_type != "Patient" and when is not None and when > self.assessment_date:
            self.issue(
                item.ref,
                "ignored",
                f"dated {when.isoformat()}, after the assessment date "
                f"{self.assessment_date.isoformat()}",
            )
            return
        handler = getattr(self, f"_on_{resource_type.lower()}")
        handler(item.ref, resource, when)

    # -- Patient ------------------------------------------------------------------------------

    def _on_patient(self, ref: str, resource: Any, when: dt.date | None) -> None:
        self.patient_fields["id"] = resource.id
        gender = resource.gender
        if gender in ("male", "female"):
            self.patient_fields["sex"] = gender
            self.map(ref, "sex", gender)
        else:
            self.issue(
                ref,
                "unmapped",
                f"gender '{gender or 'missing'}' does not record sex at birth as male or female; "
                "sex is left unknown",
            )
        birth = resource.birthDate
        if birth is None:
            self.issue(ref, "unmapped", "no birthDate: age is left unknown")
            return
        precise = isinstance(birth, dt.date)
        born = _to_date(birth)
        if born is None or born > self.assessment_date:
            self.issue(ref, "error", f"birthDate {birth} is after the assessment date")
            return
        if not precise:
            # A partial date (year or year-month): take the latest possible birthday, which
            # gives the youngest possible age, and say so.
            born = _latest_day(str(birth))
            self.issue(
                ref,
                "assumption",
                f"birthDate is partial ({birth}); age is computed from its last possible day",
            )
        age = (
            self.assessment_date.year
            - born.year
            - ((self.assessment_date.month, self.assessment_date.day) < (born.month, born.day))
        )
        age = max(age, 0)
        if age > 120:
            self.issue(ref, "error", f"age {age} years is not plausible; age is left unknown")
            return
        self.patient_fields["age_years"] = float(age)
        self.map(ref, "age_years", age)
        if resource.deceasedBoolean or resource.deceasedDateTime is not None:
            self.issue(ref, "assumption", "the Patient resource records the patient as deceased")

    # -- Observation ----------------------------------------------------------------------------

    def _on_observation(self, ref: str, resource: Any, when: dt.date | None) -> None:
        codings = _codings(resource.code)
        if resource.status not in _USED_OBSERVATION_STATUS:
            self.issue(
                ref,
                "ignored",
                f"status '{resource.status}': only final, amended or corrected results are used",
                codings[0] if codings else None,
            )
            return
        for coding in codings:
            if coding[0] == C.LOINC and coding[1] in C.LOINC_ANALYTE:
                self._lab(ref, resource, coding, C.LOINC_ANALYTE[coding[1]], when)
                return
        for coding in codings:
            if coding[0] == C.LOINC and coding[1] == C.SMOKING_STATUS_CODE:
                self._smoking(ref, resource, coding)
                return
        for coding in codings:
            if coding[0] == C.SNOMED and coding[1] in C.FINDINGS:
                self._finding_observation(ref, resource, coding, C.FINDINGS[coding[1]])
                return
        if any(c[0] == C.SNOMED and c[1] == _CLINICAL_FINDING for c in codings):
            for coding in _codings(resource.valueCodeableConcept):
                if coding[0] == C.SNOMED and coding[1] in C.FINDINGS:
                    target = C.FINDINGS[coding[1]]
                    self._apply_finding(ref, target, "present", coding, resource.bodySite)
                    return
        reason = "no code crampdx reads (labs by LOINC, findings by SNOMED CT)"
        if any(c[0] == C.LOINC for c in codings):
            reason = "LOINC code not in crampdx's analyte table"
        if resource.hasMember:
            reason = "a panel: its member Observations are read one by one"
        self.issue(ref, "unmapped", reason, codings[0] if codings else None)

    def _lab(
        self, ref: str, resource: Any, coding: Coding, analyte: Analyte, when: dt.date | None
    ) -> None:
        quantity = resource.valueQuantity
        if quantity is None or quantity.value is None:
            reason = "no numeric value (valueQuantity)"
            if resource.dataAbsentReason is not None:
                reason = f"no value: {_label(resource.dataAbsentReason) or 'data absent'}"
            self.issue(ref, "unmapped", reason, coding)
            return
        if quantity.comparator:
            self.issue(
                ref,
                "unmapped",
                f"the value is bounded ('{quantity.comparator}{quantity.value}'), not exact; "
                "it is not used as a measurement",
                coding,
            )
            return
        unit = self._unit(ref, quantity, coding)
        if unit is None:
            return
        spec = ANALYTES[analyte]
        expected = C.LOINC_PROPERTY.get(coding[1])
        actual = C.unit_property(normalise_unit(unit))
        if expected is not None and actual is not None and expected != actual:
            self._problem(
                ref,
                coding,
                "CDX-I002",
                f"LOINC {coding[1]} reports {spec.name} as {_PROPERTY_WORDS[expected]}, but the "
                f"unit is '{unit}' ({_PROPERTY_WORDS[actual]}): a coding error, not converted",
            )
            return
        reference_range = self._reference_range(ref, resource, unit, analyte, coding)
        try:
            result = LabResult(
                analyte=analyte,
                value=_float(quantity.value),
                unit=unit,
                reference_range=reference_range,
                collected=when,
            )
        except ValidationError as error:
            for problem in patient_problems(error):
                self._problem(ref, coding, problem.code, problem.message)
            return
        self.labs.append(result)
        self.map(ref, f"lab.{analyte.value}", f"{_float(quantity.value):g} {unit}", coding)

    def _unit(self, ref: str, quantity: Any, coding: Coding) -> str | None:
        system = quantity.system
        if quantity.code and (system is None or system == C.UCUM):
            return str(quantity.code)
        if quantity.unit:
            self.issue(
                ref,
                "assumption",
                f"no UCUM unit code; the display unit '{quantity.unit}' is read instead",
                coding,
            )
            return str(quantity.unit)
        self._problem(ref, coding, "CDX-P002", "the value has no unit")
        return None

    def _reference_range(
        self, ref: str, resource: Any, unit: str, analyte: Analyte, coding: Coding
    ) -> ReferenceRange | None:
        for candidate in resource.referenceRange or []:
            if candidate.appliesTo or candidate.age is not None:
                continue
            meaning = {c[1] for c in _codings(candidate.type)}
            if meaning and "normal" not in meaning:
                continue
            low = self._range_bound(candidate.low, unit, analyte)
            high = self._range_bound(candidate.high, unit, analyte)
            if low is _NO_BOUND or high is _NO_BOUND:
                self.issue(
                    ref,
                    "unmapped",
                    "the reference range has a unit that cannot be converted to the value's "
                    "unit; the range is not used",
                    coding,
                )
                return None
            if low is None and high is None:
                return None
            try:
                return ReferenceRange(low=low, high=high)
            except ValidationError:
                self.issue(ref, "unmapped", "the reference range is inverted; not used", coding)
                return None
        return None

    @staticmethod
    def _range_bound(quantity: Any, unit: str, analyte: Analyte) -> float | object | None:
        if quantity is None or quantity.value is None:
            return None
        value = _float(quantity.value)
        bound_unit = quantity.code or quantity.unit
        if bound_unit is None or normalise_unit(bound_unit) == normalise_unit(unit):
            return value
        table = ANALYTES[analyte].units
        source = table.get(normalise_unit(bound_unit))
        target = table.get(normalise_unit(unit))
        if source is None or target is None:
            return _NO_BOUND
        # Both units are in the curated table: convert through the canonical unit.
        return target.from_canonical(source.to_canonical(value))

    def _problem(self, ref: str, coding: Coding, code: str, message: str) -> None:
        self.problems.append(Problem(code=code, message=message, field=ref))
        self.issue(ref, "error", message, coding, problem_code=code)

    def _smoking(self, ref: str, resource: Any, coding: Coding) -> None:
        answers = _codings(resource.valueCodeableConcept)
        for answer in answers:
            if answer[0] == C.SNOMED and answer[1] in C.SMOKING_STATUS:
                state = C.SMOKING_STATUS[answer[1]]
                if state is None:
                    self.issue(ref, "unmapped", "smoking status recorded as unknown", answer)
                else:
                    self.set_value("history.smoking", state, ref, answer)
                return
        self.issue(
            ref,
            "unmapped",
            "smoking status answer not understood",
            answers[0] if answers else coding,
        )

    def _finding_observation(
        self, ref: str, resource: Any, coding: Coding, target: C.FindingTarget
    ) -> None:
        if resource.dataAbsentReason is not None:
            self.issue(ref, "unmapped", "no value (dataAbsentReason)", coding)
            return
        status = _finding_status(resource)
        if status is None:
            self.issue(ref, "unmapped", "the value does not say present or absent", coding)
            return
        if status == "implicit":
            status = "present"
            self.issue(
                ref,
                "assumption",
                "a finding Observation without a value is read as the finding being present",
                coding,
            )
        self._apply_finding(ref, target, status, coding, resource.bodySite)

    def _apply_finding(
        self, ref: str, target: C.FindingTarget, status: str, coding: Coding, body_sites: Any
    ) -> None:
        if target.note is not None and status == "present":
            self.issue(ref, "assumption", target.note, coding)
        if target.kind == "either_sensory":
            if status == "present":
                self.issue(
                    ref,
                    "unmapped",
                    "sensory loss without its distribution: record distal symmetric, "
                    "dermatomal or a sensory level",
                    coding,
                )
            else:
                for path in C.SENSORY_LOSS_FIELDS:
                    self.set_value(path, "absent", ref, coding)
            return
        if target.kind == "reflex":
            if status == "present":
                self.set_value(target.path, target.present_value, ref, coding)
            else:
                self.issue(
                    ref,
                    "unmapped",
                    f"the absence of {target.label} does not say how the reflexes are graded",
                    coding,
                )
            return
        if target.kind == "sign":
            regions = set(target.regions) | self._regions(ref, body_sites, coding)
            self.set_sign(target.path, status, regions, ref, coding)
            return
        self.set_value(target.path, status, ref, coding)

    def _regions(self, ref: str, body_sites: Any, coding: Coding) -> set[BodyRegion]:
        sites = body_sites if isinstance(body_sites, list) else [body_sites]
        regions: set[BodyRegion] = set()
        for site in sites:
            for system, code, display in _codings(site):
                if system == C.SNOMED and code in C.BODY_SITES:
                    regions.add(C.BODY_SITES[code])
                else:
                    self.issue(
                        ref,
                        "unmapped",
                        "body site not in crampdx's table; the finding is kept without it",
                        (system, code, display),
                    )
        return regions

    # -- Condition ------------------------------------------------------------------------------

    def _on_condition(self, ref: str, resource: Any, when: dt.date | None) -> None:
        codings = _codings(resource.code)
        state, why_not = _condition_state(resource)
        targets: list[tuple[Coding, C.ConditionTarget | C.FindingTarget]] = []
        for coding in codings:
            target: C.ConditionTarget | C.FindingTarget | None = None
            if coding[0] == C.SNOMED:
                target = C.CONDITIONS_SNOMED.get(coding[1]) or C.FINDINGS.get(coding[1])
            elif coding[0] == C.ICD10CM:
                found = C.icd10_lookup(coding[1])
                target = None if found is None else found[1]
            if target is not None:
                targets.append((coding, target))
        if not targets:
            self.issue(
                ref,
                "unmapped",
                "condition code not in crampdx's tables",
                codings[0] if codings else None,
            )
            return
        # Several codings of one Condition are translations of one concept: use the first
        # that crampdx knows.
        coding, target = targets[0]
        if state == "resolved":
            paths = _target_paths(target)
            if paths and all(path.startswith(_LIFETIME_PATHS) for path in paths):
                state = "present"
            else:
                self.issue(ref, "ignored", why_not or "not current", coding)
                return
        if state is None:
            self.issue(ref, "ignored", why_not or "status not understood", coding)
            return
        if state == "assumed":
            self.issue(
                ref,
                "assumption",
                "no clinicalStatus: the condition is read as active",
                coding,
            )
            state = "present"
        if isinstance(target, C.FindingTarget):
            self._apply_finding(ref, target, state, coding, resource.bodySite)
            return
        self._apply_condition(ref, target, state, coding)

    def _apply_condition(
        self, ref: str, target: C.ConditionTarget, state: str, coding: Coding
    ) -> None:
        if target.no_field is not None:
            self.issue(ref, "unmapped", f"{target.label}: {target.no_field}", coding)
            return
        if state == "present":
            for path, value in target.sets:
                if path == "history.chronic_kidney_disease.stage":
                    value = max(int(value), int(self.values.get(path, (0, ""))[0]))
                self.set_value(path, value, ref, coding)
            return
        pairs = target.when_absent
        if pairs is None:
            pairs = ((target.sets[0][0], "absent"),)
        if not pairs:
            self.issue(
                ref,
                "unmapped",
                f"a refuted {target.label} does not rule out the wider field",
                coding,
            )
            return
        for path, value in pairs:
            self.set_value(path, value, ref, coding)

    # -- Medications ----------------------------------------------------------------------------

    def _on_medicationrequest(self, ref: str, resource: Any, when: dt.date | None) -> None:
        if resource.doNotPerform:
            self.issue(ref, "ignored", "doNotPerform: the drug is not to be given")
            return
        if resource.intent == "proposal":
            self.issue(ref, "ignored", "intent 'proposal': not (yet) prescribed")
            return
        validity = getattr(resource.dispenseRequest, "validityPeriod", None)
        start = _to_date(_period_start(validity)) or _to_date(resource.authoredOn)
        end = None if validity is None else _to_date(validity.end)
        self._current_or_recent(ref, resource, start, end, "requests")

    def _on_medicationstatement(self, ref: str, resource: Any, when: dt.date | None) -> None:
        period = resource.effectivePeriod
        start = _to_date(resource.effectiveDateTime) or _to_date(_period_start(period))
        end = None if period is None else _to_date(period.end)
        self._current_or_recent(ref, resource, start, end, "statements")

    def _current_or_recent(
        self, ref: str, resource: Any, start: dt.date | None, end: dt.date | None, kind: str
    ) -> None:
        status = resource.status
        if status == "active":
            self._medication(ref, resource, start, None)
            return
        if status in ("stopped", "completed") and end is not None:
            days = (self.assessment_date - end).days
            if 0 <= days <= RECENTLY_STOPPED_DAYS:
                self.issue(
                    ref,
                    "assumption",
                    f"status '{status}', ended {end.isoformat()}: kept as a medication "
                    "stopped recently",
                )
                self._medication(ref, resource, start, end)
                return
        self.issue(
            ref,
            "ignored",
            f"status '{status}': only active {kind} (or ones stopped within "
            f"{RECENTLY_STOPPED_DAYS} days, with an end date) are used",
        )

    def _on_medication(self, ref: str, resource: Any, when: dt.date | None) -> None:
        self.issue(
            ref,
            "ignored",
            "Medication resources are read through the requests and statements that use them",
        )

    def _medication_concepts(self, ref: str, resource: Any) -> list[Any]:
        if resource.medicationCodeableConcept is not None:
            return [resource.medicationCodeableConcept]
        reference = getattr(resource.medicationReference, "reference", None)
        medication = None
        if reference and reference.startswith("#"):
            medication = next((c for c in resource.contained or [] if c.id == reference[1:]), None)
        elif reference:
            medication = self.by_alias.get(reference)
        if medication is None or medication.get_resource_type() != "Medication":
            self.issue(ref, "unmapped", f"medication reference '{reference}' is not in the input")
            return []
        ingredients = [
            i.itemCodeableConcept for i in medication.ingredient or [] if i.itemCodeableConcept
        ]
        return [medication.code, *ingredients] if medication.code else ingredients

    def _medication(
        self, ref: str, resource: Any, start: dt.date | None, stopped: dt.date | None
    ) -> None:
        concepts = self._medication_concepts(ref, resource)
        if not concepts:
            return
        found = _ingredients_by_code(concepts)
        if found:
            for ingredient, coding in found:
                self._add_medication(ingredient, ingredient.name, start, stopped, ref, coding)
            return
        codings = [c for concept in concepts for c in _codings(concept)]
        by_name = _ingredients_by_name(concepts)
        first = codings[0] if codings else None
        if by_name:
            for ingredient in by_name:
                self.issue(
                    ref,
                    "assumption",
                    f"no RxNorm ingredient code crampdx lists; matched the ingredient name "
                    f"'{ingredient.name}' in the medication text",
                    first,
                )
                self._add_medication(ingredient, ingredient.name, start, stopped, ref, first)
            return
        name = _label(concepts[0]) or (first[1] if first else "unnamed medication")
        self.issue(
            ref,
            "unmapped",
            "medication code is not an RxNorm ingredient crampdx lists; kept as an unmapped "
            "medication",
            first,
        )
        self._add_medication(None, name, start, stopped, ref, first)

    def _add_medication(
        self,
        ingredient: Ingredient | None,
        name: str,
        start: dt.date | None,
        stopped: dt.date | None,
        ref: str,
        coding: Coding | None,
    ) -> None:
        key = name.lower()
        existing = self.medications.get(key)
        if existing is None:
            self.medications[key] = _Med(ingredient, name, start, [ref], stopped)
        else:
            existing.sources.append(ref)
            if start is not None and (existing.started is None or start < existing.started):
                existing.started = start
            # Still taken if any record is current; otherwise stopped at the latest end.
            if existing.stopped is not None:
                existing.stopped = None if stopped is None else max(existing.stopped, stopped)
        classes = ingredient.classes if ingredient is not None else ()
        for drug_class in classes:
            self.map(ref, f"drug.{drug_class.value}", name, coding)
        if not classes:
            self.map(ref, "medications", name, coding)

    # -- Procedures and diagnostic reports -------------------------------------------------------

    def _on_procedure(self, ref: str, resource: Any, when: dt.date | None) -> None:
        codings = _codings(resource.code)
        target = _procedure_target(codings)
        if target is None:
            self.issue(
                ref,
                "unmapped",
                "procedure code not in crampdx's tables",
                codings[0] if codings else None,
            )
            return
        coding, found = target
        if resource.status != "completed":
            self.issue(ref, "ignored", f"status '{resource.status}': not completed", coding)
            return
        for path, value in found.sets:
            self.set_value(path, value, ref, coding)
        if found.test is None:
            return
        result = _result_of([resource.outcome])
        if result is None:
            self.issue(
                ref,
                "unmapped",
                f"{found.label} was done but its result is not coded (Procedure.outcome or a "
                "DiagnosticReport conclusion); not recorded as a test done",
                coding,
            )
            return
        self._test(ref, found.test, result, when, coding)

    def _on_diagnosticreport(self, ref: str, resource: Any, when: dt.date | None) -> None:
        codings = _codings(resource.code)
        first = codings[0] if codings else None
        if resource.status not in _USED_REPORT_STATUS:
            self.issue(ref, "ignored", f"status '{resource.status}': not final", first)
            return
        panel = next((c for c in codings if c[0] == C.LOINC and c[1] in C.LAB_PANELS), None)
        if panel is not None or (resource.result and _procedure_target(codings) is None):
            self.issue(
                ref,
                "ignored",
                "a lab report: its results are read from its Observations",
                panel or first,
            )
            return
        target = _procedure_target(codings)
        if target is None:
            self.issue(ref, "unmapped", "report code not in crampdx's tables", first)
            return
        coding, found = target
        if found.test is None:
            self.issue(ref, "unmapped", f"{found.label} is not a workup test", coding)
            return
        result = _result_of(resource.conclusionCode)
        if result is None:
            self.issue(
                ref,
                "unmapped",
                f"{found.label} report without a coded conclusion (normal, abnormal or "
                "inconclusive); not recorded as a test done",
                coding,
            )
            return
        self._test(ref, found.test, result, when, coding)

    def _test(self, ref: str, test: str, result: str, when: dt.date | None, coding: Coding) -> None:
        done = TestDone(test=test, date=when, result=TestResult(result))
        self.tests.append((when, done, ref))
        self.map(ref, f"test.{test}", result, coding)

    # -- assembling the record ------------------------------------------------------------------

    def _build(self) -> MappingResult:
        if self.problems and self.strict:
            codes = {problem.code for problem in self.problems}
            count = len(self.problems)
            message = f"{count} lab value{'s' if count != 1 else ''} cannot be used"
            error_class: type[InteropError] = InteropError
            if codes <= {"CDX-P002", "CDX-I002"}:
                error_class = FhirUnitError
            elif codes == {"CDX-P003"}:
                error_class = FhirValueError
            raise error_class(message, tuple(self.problems))
        data: dict[str, Any] = dict(self.patient_fields)
        data["assessment_date"] = self.assessment_date
        for path, (value, _) in self.values.items():
            _put(data, path, value)
        for path, sign in self.signs.items():
            entry: dict[str, Any] = {"status": sign.status}
            if sign.status == "present" and sign.regions:
                entry["regions"] = sorted(sign.regions)
            _put(data, path, entry)
        data["labs"] = self.labs
        data["medications"] = [
            Medication(
                name=med.name,
                rxnorm=None if med.ingredient is None else med.ingredient.rxcui,
                started=med.started,
                stopped=med.stopped,
            )
            for med in self.medications.values()
        ]
        data["tests_done"] = [
            done for _, done, _ in sorted(self.tests, key=lambda t: t[0] or dt.date.min)
        ]
        try:
            patient = Patient.model_validate(data)
        except ValidationError as error:
            problems = patient_problems(error)
            raise InteropError(
                "the FHIR data gives an inconsistent patient record", problems
            ) from error
        report = MappingReport(
            assessment_date=self.assessment_date,
            resources_read=len(self.resources) + len(self.read.invalid) + len(self.read.skipped),
            mapped=tuple(self.mapped),
            issues=tuple(self.issues),
        )
        return MappingResult(patient=patient, report=report)


_NO_BOUND = object()
_PROPERTY_WORDS = {
    "MCnc": "mass per volume",
    "SCnc": "moles per volume",
    "MFr": "a percentage (NGSP)",
    "SFr": "mmol/mol (IFCC)",
}


def _latest_day(partial: str) -> dt.date:
    parts = [int(p) for p in partial.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    next_month = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
    return next_month - dt.timedelta(days=1)


def _put(data: dict[str, Any], path: str, value: object) -> None:
    *parents, leaf = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def _finding_status(resource: Any) -> str | None:
    """present / absent from a finding Observation's value, 'implicit' when it has none."""
    if resource.valueBoolean is not None:
        return "present" if resource.valueBoolean else "absent"
    answers = {c[1] for c in _codings(resource.valueCodeableConcept) if c[0] == C.SNOMED}
    if answers & C.PRESENT_VALUES:
        return "present"
    if answers & C.ABSENT_VALUES:
        return "absent"
    interpretations = {
        c[1] for c in _all_codings(resource.interpretation) if c[0] == _INTERPRETATION
    }
    if "POS" in interpretations:
        return "present"
    if "NEG" in interpretations:
        return "absent"
    has_value = any(
        getattr(resource, name, None) is not None
        for name in (
            "valueCodeableConcept",
            "valueQuantity",
            "valueString",
            "valueInteger",
            "valueRange",
            "valueRatio",
            "valueDateTime",
            "valuePeriod",
        )
    )
    return None if has_value else "implicit"


def _condition_state(resource: Any) -> tuple[str | None, str | None]:
    """(state, reason): state is present / absent / resolved / assumed, or None (not used)."""
    verification = {c[1] for c in _codings(resource.verificationStatus)}
    if "entered-in-error" in verification:
        return None, "entered in error"
    if "refuted" in verification:
        return "absent", None
    if verification & {"unconfirmed", "provisional", "differential"}:
        return None, f"not confirmed ({', '.join(sorted(verification))})"
    clinical = {c[1] for c in _codings(resource.clinicalStatus)}
    if clinical & _PRESENT_CLINICAL_STATUS:
        return "present", None
    if clinical:
        return "resolved", f"clinical status '{', '.join(sorted(clinical))}': not current"
    abated = any(
        getattr(resource, name, None) is not None
        for name in (
            "abatementDateTime",
            "abatementAge",
            "abatementPeriod",
            "abatementRange",
            "abatementString",
        )
    )
    if abated:
        return "resolved", "the condition has abated"
    return "assumed", None


def _target_paths(target: C.ConditionTarget | C.FindingTarget) -> list[str]:
    if isinstance(target, C.FindingTarget):
        return [target.path]
    return [path for path, _ in target.sets]


def _procedure_target(codings: list[Coding]) -> tuple[Coding, C.ProcedureTarget] | None:
    for coding in codings:
        system = C.CPT if coding[0].lower().endswith("/cpt") else coding[0]
        target = C.PROCEDURES.get((system, coding[1]))
        if target is not None:
            return coding, target
    return None


def _result_of(concepts: Iterable[Any] | None) -> str | None:
    for system, code, _ in _all_codings(concepts):
        result = C.CONCLUSION_RESULTS.get((system, code))
        if result is not None:
            return result
    return None


def _ingredients_by_code(concepts: list[Any]) -> list[tuple[Ingredient, Coding]]:
    found: dict[str, tuple[Ingredient, Coding]] = {}
    for concept in concepts:
        for coding in _codings(concept):
            if coding[0] == C.RXNORM:
                ingredient = lookup("", coding[1])
                if ingredient is not None:
                    found.setdefault(ingredient.name, (ingredient, coding))
    return list(found.values())


_WORD = re.compile(r"[a-z0-9]+")


def _ingredients_by_name(concepts: list[Any]) -> list[Ingredient]:
    texts = []
    for concept in concepts:
        if concept.text:
            texts.append(str(concept.text))
        texts.extend(c[2] for c in _codings(concept) if c[2])
    words = " ".join(" ".join(_WORD.findall(text.lower())) for text in texts)
    padded = f" {words} "
    matches = [
        ingredient
        for name, ingredient in INGREDIENTS.items()
        if f" {' '.join(_WORD.findall(name))} " in padded
    ]
    # Keep the longest names only: 'insulin glargine' rather than also 'insulin'.
    names = [m.name for m in matches]
    kept = [m for m in matches if not any(m.name != n and m.name in n for n in names)]
    unique: dict[str, Ingredient] = {}
    for ingredient in kept:
        unique.setdefault(ingredient.rxcui, ingredient)
    return list(unique.values())


def patient_from_fhir(
    bundle_or_resources: FhirInput,
    *,
    assessment_date: dt.date | None = None,
    strict: bool = True,
    patient_id: str | None = None,
) -> MappingResult:
    """Build a crampdx patient record from FHIR R4 data.

    Args:
        bundle_or_resources: a Bundle, a resource, JSON text, ``fhir.resources.R4B``
            models, or an iterable of these (e.g. the values of a CDS Hooks prefetch).
        assessment_date: the date the assessment is for: age is computed at this date
            and anything dated after it is not used. Defaults to today.
        strict: when True (the default), a lab value whose unit is unknown for its
            analyte, contradicts its LOINC code, or is implausible raises an error
            listing every such value. When False they are listed in the report (kind
            ``error``) and left out of the record.
        patient_id: the id of the patient the data must be about (e.g. a CDS Hooks
            ``context.patientId``): a Patient resource with another id is an error, and
            resources about anyone else are not used.

    Returns:
        The patient record and the mapping report.

    Raises:
        FhirUnitError: a unit problem (strict mode); also a UnitError and InteropError.
        FhirValueError: an implausible value (strict mode).
        InteropError: the input is not FHIR R4, holds several patients, or gives an
            inconsistent record.
    """
    date = assessment_date or dt.date.today()
    read = read_resources(bundle_or_resources, _HANDLED_TYPES)
    return _Mapper(read, date, strict, patient_id).run()
