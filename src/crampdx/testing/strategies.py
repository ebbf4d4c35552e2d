"""Hypothesis strategies that generate valid, realistic crampdx patient records.

Rule authors and integrators use them for property tests::

    from hypothesis import given
    from crampdx.testing.strategies import patients

    @given(patients())
    def test_never_crashes(patient):
        crampdx.assess(patient)

The strategies are written by hand rather than inferred from the type
annotations, so that every record respects the rules a real record follows:
regions and side only qualify a finding that is present, lab values lie inside
each analyte's plausible range and use one of its accepted units, a pregnancy is
only present when sex and age allow it, and a test already done names a test of
the workup catalogue. Sections are sparse (most findings stay unknown), which is
both realistic and keeps generation fast.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from hypothesis import strategies as st
from pydantic import BaseModel

from crampdx.record.drugs import INGREDIENTS, Medication
from crampdx.record.labs import ANALYTES, Analyte, LabResult, ReferenceRange
from crampdx.record.patient import (
    CancerHistory,
    ChronicKidneyDisease,
    Course,
    CrampPattern,
    CrampSite,
    CrampTiming,
    CrampTriggers,
    DiabetesHistory,
    DiabetesType,
    Exam,
    FamilyHistory,
    History,
    Patient,
    Pregnancy,
    Reflexes,
    Sex,
    SpinalCordInjury,
    SpinalLevel,
    Symptoms,
    TestDone,
    TestFinding,
    TestResult,
    ToxinExposure,
)
from crampdx.record.states import BodyRegion, Observation, ReflexGrade, Side, State

__all__ = [
    "ages",
    "cancer_histories",
    "catalogue_test_ids",
    "ckd_histories",
    "cramp_patterns",
    "cramp_triggers",
    "diabetes_histories",
    "done_tests",
    "exams",
    "family_histories",
    "histories",
    "lab_results",
    "labs",
    "medications",
    "observations",
    "patients",
    "pregnancies",
    "reflex_grades",
    "reflexes",
    "spinal_cord_injuries",
    "states",
    "symptoms",
    "toxin_exposures",
]

M = TypeVar("M", bound=BaseModel)

_DATES = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31))

# Medicines crampdx has no drug class for, as a clinician would type them: they must be
# kept and reported as unmapped, never dropped.
_UNMAPPED_MEDICATIONS = (
    "paracetamol",
    "ranitidine",
    "allopurinol",
    "tamsulosin",
    "riluzole",
    "magnesium citrate",
    "herbal sleep remedy",
)
_CANCER_TYPES = ("breast", "small-cell lung", "prostate", "colorectal", "lymphoma", "thymoma")


@cache
def states() -> st.SearchStrategy[State]:
    """Any state, ``unknown`` included."""
    return st.sampled_from(State)


@cache
def reflex_grades() -> st.SearchStrategy[ReflexGrade]:
    """Any reflex grade, ``unknown`` included."""
    return st.sampled_from(ReflexGrade)


def _unique_tuple(elements: st.SearchStrategy[Any], max_size: int) -> st.SearchStrategy[Any]:
    return st.lists(elements, unique=True, max_size=max_size).map(tuple)


def _tenths(low: float, high: float) -> st.SearchStrategy[float]:
    """Floats with one decimal between ``low`` and ``high`` (as clinicians record them)."""
    return st.integers(round(low * 10), round(high * 10)).map(lambda tenths: tenths / 10)


@cache
def observations() -> st.SearchStrategy[Observation]:
    """Observations; regions and side only when the finding is present."""
    present = st.builds(
        Observation,
        status=st.just(State.PRESENT),
        regions=_unique_tuple(st.sampled_from(BodyRegion), max_size=3),
        side=st.none() | st.sampled_from(Side),
    )
    not_present = st.builds(Observation, status=st.sampled_from([State.ABSENT, State.UNKNOWN]))
    return present | not_present


def _field_strategy(model: type[BaseModel], field: str) -> st.SearchStrategy[Any]:
    """The strategy for a plain tri-state, observation or reflex field."""
    annotation = model.model_fields[field].annotation
    if annotation is State:
        return states()
    if annotation is Observation:
        return observations()
    if annotation is ReflexGrade:
        return reflex_grades()
    # A new kind of field must get a hand-written strategy: fail loudly, never skip it.
    raise TypeError(f"no strategy for {model.__name__}.{field} ({annotation!r})")


def _sparse(
    model: type[M],
    special: dict[str, st.SearchStrategy[Any]] | None = None,
    max_fields: int = 10,
) -> st.SearchStrategy[M]:
    """Instances of ``model`` with up to ``max_fields`` fields recorded; the rest keep defaults.

    ``special`` gives the strategies of fields that are not plain tri-states,
    observations or reflex grades (numbers, nested sections, lists). Choosing the
    fields first and drawing values only for them keeps generation fast for
    sections with dozens of fields.
    """
    special = special or {}
    by_field = {
        field: special[field] if field in special else _field_strategy(model, field)
        for field in model.model_fields
    }
    names = st.lists(st.sampled_from(sorted(by_field)), unique=True, max_size=max_fields)

    @st.composite
    def build(draw: st.DrawFn) -> M:
        chosen = draw(names)
        return model(**{field: draw(by_field[field]) for field in chosen})

    return build()


@cache
def reflexes() -> st.SearchStrategy[Reflexes]:
    """Tendon reflexes at a random subset of sites."""
    return _sparse(Reflexes)


@cache
def cramp_triggers() -> st.SearchStrategy[CrampTriggers]:
    """What brings the episodes on."""
    return _sparse(CrampTriggers)


@cache
def cramp_patterns() -> st.SearchStrategy[CrampPattern]:
    """The cramp story: sites and timings as complete lists, durations in range."""
    return _sparse(
        CrampPattern,
        {
            "sites": _unique_tuple(st.sampled_from(CrampSite), max_size=4),
            "side": st.none() | st.sampled_from(Side),
            "timing": _unique_tuple(st.sampled_from(CrampTiming), max_size=3),
            "typical_duration_minutes": _tenths(0, 10080),
            "episodes_per_week": _tenths(0, 1000),
            "months_since_onset": _tenths(0, 1200),
            "age_at_onset_years": _tenths(0, 120),
            "course": st.none() | st.sampled_from(Course),
            "triggers": cramp_triggers(),
        },
    )


@cache
def symptoms() -> st.SearchStrategy[Symptoms]:
    """Reported symptoms, most of them unknown."""
    return _sparse(Symptoms)


@cache
def exams() -> st.SearchStrategy[Exam]:
    """Examination findings, most of them unknown."""
    return _sparse(Exam, {"reflexes": reflexes()})


@cache
def diabetes_histories() -> st.SearchStrategy[DiabetesHistory]:
    """Diabetes status; a type is only given when diabetes is present."""
    known = st.builds(
        DiabetesHistory,
        status=st.just(State.PRESENT),
        type=st.none() | st.sampled_from(DiabetesType),
        recent_rapid_glycaemic_control=states(),
    )
    return known | st.builds(DiabetesHistory, status=st.sampled_from([State.ABSENT, State.UNKNOWN]))


@cache
def ckd_histories() -> st.SearchStrategy[ChronicKidneyDisease]:
    """Chronic kidney disease; a stage and dialysis only when it is present."""
    present = st.builds(
        ChronicKidneyDisease,
        status=st.just(State.PRESENT),
        stage=st.none() | st.integers(1, 5),
        haemodialysis=states(),
    )
    absent = st.builds(
        ChronicKidneyDisease,
        status=st.sampled_from([State.ABSENT, State.UNKNOWN]),
        haemodialysis=st.sampled_from([State.ABSENT, State.UNKNOWN]),
    )
    return present | absent


@cache
def cancer_histories() -> st.SearchStrategy[CancerHistory]:
    """Cancer history, with free-text types when present."""
    special = {
        "types": _unique_tuple(st.sampled_from(_CANCER_TYPES), max_size=2),
    }
    return _sparse(CancerHistory, special)


@cache
def spinal_cord_injuries() -> st.SearchStrategy[SpinalCordInjury]:
    """Spinal cord injury; a level only when it is present."""
    present = st.builds(
        SpinalCordInjury,
        status=st.just(State.PRESENT),
        level=st.none() | st.sampled_from(SpinalLevel),
    )
    return present | st.builds(
        SpinalCordInjury, status=st.sampled_from([State.ABSENT, State.UNKNOWN])
    )


@cache
def toxin_exposures() -> st.SearchStrategy[ToxinExposure]:
    """Toxin exposures."""
    return _sparse(ToxinExposure)


@cache
def family_histories() -> st.SearchStrategy[FamilyHistory]:
    """Family history."""
    return _sparse(FamilyHistory)


@cache
def histories() -> st.SearchStrategy[History]:
    """Past medical, social and family history."""
    return _sparse(
        History,
        {
            "diabetes": diabetes_histories(),
            "chronic_kidney_disease": ckd_histories(),
            "cancer": cancer_histories(),
            "spinal_cord_injury": spinal_cord_injuries(),
            "toxin_exposure": toxin_exposures(),
            "family_history": family_histories(),
        },
    )


@cache
def _reported_value(analyte: Analyte, unit: str) -> st.SearchStrategy[float]:
    """A value in ``unit`` whose canonical value is inside the analyte's plausible range.

    Values are rounded to two decimals, as labs report them. The range is inset
    by 1 % of its span so that rounding can never push a value outside it.
    """
    spec = ANALYTES[analyte]
    conversion = spec.units[unit]
    low, high = spec.plausible
    margin = (high - low) / 100
    canonical = st.floats(low + margin, high - margin, allow_nan=False, allow_infinity=False)
    return canonical.map(lambda value: round(conversion.from_canonical(value), 2))


@st.composite
def lab_results(draw: st.DrawFn, analyte: Analyte | None = None) -> LabResult:
    """One lab result in a randomly chosen accepted unit of its analyte.

    Args:
        draw: supplied by Hypothesis.
        analyte: fix the analyte; by default any analyte crampdx knows.
    """
    chosen = analyte if analyte is not None else draw(st.sampled_from(Analyte))
    unit = draw(st.sampled_from(sorted(ANALYTES[chosen].units)))
    value = draw(_reported_value(chosen, unit))
    reference_range = None
    if draw(st.booleans()):
        bounds = sorted(draw(st.lists(_reported_value(chosen, unit), min_size=2, max_size=2)))
        reference_range = ReferenceRange(
            low=draw(st.sampled_from([bounds[0], None])),
            high=draw(st.sampled_from([bounds[1], None])),
        )
    return LabResult(
        analyte=chosen,
        value=value,
        unit=unit,
        reference_range=reference_range,
        collected=draw(st.none() | _DATES),
    )


@cache
def labs(max_size: int = 6) -> st.SearchStrategy[tuple[LabResult, ...]]:
    """A list of lab results, serial values of one analyte allowed."""
    return st.lists(lab_results(), max_size=max_size).map(tuple)


@st.composite
def _medication(draw: st.DrawFn) -> Medication:
    known = draw(st.booleans())
    if known:
        name = draw(st.sampled_from(sorted(INGREDIENTS)))
        rxnorm = draw(st.sampled_from([INGREDIENTS[name].rxcui, None]))
    else:
        name = draw(
            st.sampled_from(_UNMAPPED_MEDICATIONS)
            | st.text(string.ascii_lowercase + " -", min_size=1, max_size=24).filter(str.strip)
        )
        rxnorm = None
    started = draw(st.none() | _DATES)
    stopped = None
    if started is not None and draw(st.booleans()):
        stopped = started + dt.timedelta(days=draw(st.integers(0, 3650)))
    return Medication(
        name=name,
        rxnorm=rxnorm,
        started=started,
        started_before_cramps=draw(states()),
        stopped=stopped,
    )


@cache
def medications(max_size: int = 5) -> st.SearchStrategy[tuple[Medication, ...]]:
    """Medications from crampdx's ingredient table, mixed with names it does not know."""
    return st.lists(_medication(), max_size=max_size).map(tuple)


@cache
def catalogue_test_ids() -> tuple[str, ...]:
    """The ids of the shipped workup catalogue (``rules/_workup.yaml``)."""
    # Imported here so that importing the strategies does not load the knowledge base.
    from crampdx.kb.load import default_rules_dir, read_rule_file

    path = default_rules_dir() / "_workup.yaml"
    content, _, problems = read_rule_file(path)
    if content is None or problems:
        details = "; ".join(str(problem) for problem in problems)
        raise RuntimeError(f"cannot read the workup catalogue {path}: {details}")
    return tuple(sorted(test.id for test in content.catalogue))


def done_tests(
    test_ids: Sequence[str] | None = None, max_size: int = 3
) -> st.SearchStrategy[tuple[TestDone, ...]]:
    """Tests already done, each naming a test of the workup catalogue.

    Args:
        test_ids: the catalogue ids to draw from; by default the shipped catalogue.
        max_size: the longest list generated.
    """
    ids = tuple(test_ids) if test_ids is not None else catalogue_test_ids()
    return _done_tests(ids, max_size)


@cache
def _done_tests(ids: tuple[str, ...], max_size: int) -> st.SearchStrategy[tuple[TestDone, ...]]:
    one = st.builds(
        TestDone,
        test=st.sampled_from(ids),
        date=st.none() | _DATES,
        result=st.sampled_from(TestResult),
        findings=_unique_tuple(st.sampled_from(TestFinding), max_size=3),
    )
    return st.lists(one, max_size=max_size).map(tuple)


@cache
def ages() -> st.SearchStrategy[float]:
    """Ages in years with one decimal, 0 to 120."""
    return _tenths(0, 120)


def pregnancies(
    sex: Sex | None = None, age_years: float | None = None
) -> st.SearchStrategy[Pregnancy]:
    """Pregnancy records consistent with ``sex`` and ``age_years``.

    A pregnancy is only ``present`` when sex is not male and the age (if known)
    is 9–65 years, the limits the record accepts; a trimester only qualifies a
    present pregnancy.
    """
    return _pregnancies(sex is not Sex.MALE and (age_years is None or 9 <= age_years <= 65))


@cache
def _pregnancies(possible: bool) -> st.SearchStrategy[Pregnancy]:
    not_present = st.builds(Pregnancy, status=st.sampled_from([State.ABSENT, State.UNKNOWN]))
    if not possible:
        return not_present
    present = st.builds(
        Pregnancy, status=st.just(State.PRESENT), trimester=st.none() | st.integers(1, 3)
    )
    return present | not_present


@cache
def _optional(strategy: st.SearchStrategy[Any], default: Any) -> st.SearchStrategy[Any]:
    """Often leave a whole section at its default, as most real records do."""
    return st.just(default) | strategy


_IDS = st.none() | st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=12)


@st.composite
def patients(draw: st.DrawFn, test_ids: Sequence[str] | None = None) -> Patient:
    """Whole patient records: every section optional and sparse, all parts consistent.

    Args:
        draw: supplied by Hypothesis.
        test_ids: catalogue ids for ``tests_done``; by default the shipped catalogue.
    """
    age_years = draw(st.none() | ages())
    sex = draw(st.none() | st.sampled_from(Sex))
    return Patient(
        id=draw(_IDS),
        assessment_date=draw(st.none() | _DATES),
        age_years=age_years,
        sex=sex,
        pregnancy=draw(pregnancies(sex, age_years)),
        cramps=draw(_optional(cramp_patterns(), CrampPattern())),
        symptoms=draw(_optional(symptoms(), Symptoms())),
        exam=draw(_optional(exams(), Exam())),
        history=draw(_optional(histories(), History())),
        labs=draw(labs()),
        medications=draw(medications()),
        medications_complete=draw(st.booleans()),
        tests_done=draw(_optional(done_tests(test_ids), ())),
    )
