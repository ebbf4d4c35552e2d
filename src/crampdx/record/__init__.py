"""The patient record: demographics, cramp pattern, symptoms, exam, history, labs, drugs."""

from crampdx.record.drugs import DrugClass, Medication
from crampdx.record.io import load_patient, parse_patient
from crampdx.record.labs import Analyte, LabResult, ReferenceRange
from crampdx.record.patient import (
    CrampPattern,
    Exam,
    History,
    Patient,
    Pregnancy,
    Symptoms,
    TestDone,
)
from crampdx.record.states import BodyRegion, Observation, ReflexGrade, Side, State

__all__ = [
    "Analyte",
    "BodyRegion",
    "CrampPattern",
    "DrugClass",
    "Exam",
    "History",
    "LabResult",
    "Medication",
    "Observation",
    "Patient",
    "Pregnancy",
    "ReferenceRange",
    "ReflexGrade",
    "Side",
    "State",
    "Symptoms",
    "TestDone",
    "load_patient",
    "parse_patient",
]
