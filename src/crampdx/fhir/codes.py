"""Curated code tables for reading FHIR: which LOINC, SNOMED CT, ICD-10-CM, RxNorm and CPT
codes crampdx understands, and what each one means for the patient record.

Every table is deliberately small and explicit. A code that is not listed here is
never guessed at: the mapper lists it in the mapping report with the reason.

Sources (engineering/interop.md): LOINC codes per analyte come from
:data:`crampdx.record.labs.ANALYTES` (§2.1); SNOMED CT findings from the HPO
cross-references (§2.2); conditions from §2.3 with ICD-10-CM checked against the
April 2026 release (G35 split into G35.A–G35.D, N18.3 split into N18.30–N18.32);
procedure codes from the workup catalogue (``rules/_workup.yaml``) and CPT
ranges for the same studies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from crampdx.record.labs import ANALYTES, Analyte
from crampdx.record.patient import DiabetesType, SpinalLevel
from crampdx.record.states import BodyRegion

__all__ = [
    "BODY_SITES",
    "CONCLUSION_RESULTS",
    "CONDITIONS_ICD10",
    "CONDITIONS_SNOMED",
    "CPT",
    "FINDINGS",
    "ICD10CM",
    "LAB_PANELS",
    "LOINC",
    "LOINC_ANALYTE",
    "LOINC_PROPERTY",
    "PROCEDURES",
    "RXNORM",
    "SMOKING_STATUS",
    "SNOMED",
    "UCUM",
    "ConditionTarget",
    "FindingTarget",
    "ProcedureTarget",
    "icd10_lookup",
    "normalise_icd10",
    "unit_property",
]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CPT = "http://www.ama-assn.org/go/cpt"
UCUM = "http://unitsofmeasure.org"

# --- Labs ---------------------------------------------------------------------------------

LOINC_ANALYTE: dict[str, Analyte] = {
    code: analyte for analyte, spec in ANALYTES.items() for code in spec.loinc
}

LoincProperty = Literal["MCnc", "SCnc", "MFr", "SFr"]

# The LOINC property of each code whose analyte is reported both by mass and by moles
# (or as % and mmol/mol). A unit of the other kind under such a code is a coding error,
# never something to convert (interop.md §6.2). Codes whose analyte has one kind of
# unit only need no entry: the analyte's own unit table already rejects the other kind.
LOINC_PROPERTY: dict[str, LoincProperty] = {
    # mass concentration
    "2160-0": "MCnc",
    "38483-4": "MCnc",  # creatinine SerPl, Bld
    "17861-6": "MCnc",
    "49765-1": "MCnc",  # calcium SerPl, Bld
    "17864-0": "MCnc",  # ionized calcium SerPl
    "19123-9": "MCnc",  # magnesium
    "2777-1": "MCnc",  # phosphate
    "2345-7": "MCnc",
    "2339-0": "MCnc",  # glucose SerPl, Bld
    "3024-7": "MCnc",  # free T4
    "2132-9": "MCnc",  # vitamin B12
    "2284-8": "MCnc",  # folate
    "62292-8": "MCnc",
    "1989-3": "MCnc",  # 25-OH vitamin D
    "2731-8": "MCnc",  # PTH
    "2143-6": "MCnc",  # cortisol
    "1975-2": "MCnc",  # bilirubin
    "3091-6": "MCnc",  # urea (mass): crampdx accepts urea in mmol/L only
    "3094-0": "MCnc",  # urea nitrogen SerPl
    "6299-2": "MCnc",  # urea nitrogen Bld
    # substance (molar) concentration
    "14682-9": "SCnc",
    "2000-8": "SCnc",
    "29265-6": "SCnc",  # calcium corrected for albumin
    "1995-0": "SCnc",
    "1994-3": "SCnc",
    "2601-3": "SCnc",
    "14879-1": "SCnc",
    "14749-6": "SCnc",
    "15074-8": "SCnc",
    "14920-3": "SCnc",
    "14685-2": "SCnc",
    "13964-2": "SCnc",
    "14732-2": "SCnc",
    "14635-7": "SCnc",
    "14866-8": "SCnc",
    "14675-3": "SCnc",
    "14631-6": "SCnc",
    "2524-7": "SCnc",
    "32693-4": "SCnc",
    "16362-6": "SCnc",
    # HbA1c: NGSP % (mass fraction) versus IFCC mmol/mol (substance fraction)
    "4548-4": "MFr",
    "17856-6": "MFr",
    "59261-8": "SFr",
}

_MOLAR = re.compile(r"^(m|u|n|p)?(mol|eq)/")
_MASS = re.compile(r"^(k|m|u|n|p)?g/")


def unit_property(normalised_unit: str) -> LoincProperty | None:
    """The LOINC property a (normalised) unit expresses, when it is unambiguous."""
    if normalised_unit == "%":
        return "MFr"
    if normalised_unit == "mmol/mol":
        return "SFr"
    if _MOLAR.match(normalised_unit):
        return "SCnc"
    if _MASS.match(normalised_unit):
        return "MCnc"
    return None


# Lab panels reported as DiagnosticReports: their values arrive as Observations.
LAB_PANELS: dict[str, str] = {
    "51990-0": "Basic metabolic panel",
    "24323-8": "Comprehensive metabolic panel",
    "58410-2": "Complete blood count panel",
    "57698-3": "Lipid panel",
}

# --- Findings (SNOMED CT) -------------------------------------------------------------------

FindingKind = Literal["state", "sign", "reflex", "either_sensory"]


@dataclass(frozen=True, slots=True)
class FindingTarget:
    """Where a coded finding goes in the patient record.

    Attributes:
        label: a readable name for reports.
        path: dotted field path in :class:`~crampdx.record.Patient` (``exam.fasciculations``).
        kind: ``state`` (present/absent field), ``sign`` (an Observation with regions),
            ``reflex`` (a reflex grade set when present), ``either_sensory`` (present is
            ambiguous between two fields; absent clears both).
        present_value: the value to set when present (reflex grade for ``reflex``).
        regions: regions implied by the code itself (e.g. lower-limb weakness).
        note: an assumption to state in the report whenever this code is used.
    """

    label: str
    path: str
    kind: FindingKind = "state"
    present_value: str = "present"
    regions: tuple[BodyRegion, ...] = ()
    note: str | None = None


_MYOTONIA_NOTE = (
    "SNOMED CT 3434004 'Myotonia' does not say how it was elicited; recorded as grip "
    "myotonia (the usual bedside test). Record percussion myotonia separately if tested."
)

FINDINGS: dict[str, FindingTarget] = {
    "55300003": FindingTarget("cramp", "cramps.reported"),
    "82470000": FindingTarget("fasciculation", "exam.fasciculations", "sign"),
    "26544005": FindingTarget("muscle weakness", "exam.weakness", "sign"),
    "249945007": FindingTarget(
        "lower-limb weakness", "exam.weakness", "sign", regions=(BodyRegion.LOWER_LIMB,)
    ),
    # 74035001 is HPO's cross-reference for skeletal muscle atrophy (HP:0003202);
    # 88092000 'Muscle atrophy (disorder)' is the code problem lists commonly use.
    "74035001": FindingTarget("muscle atrophy", "exam.atrophy", "sign"),
    "88092000": FindingTarget("muscle atrophy", "exam.atrophy", "sign"),
    "3434004": FindingTarget("myotonia", "exam.myotonia_grip", note=_MYOTONIA_NOTE),
    "221360009": FindingTarget("spasticity", "exam.spasticity", "sign"),
    "397790002": FindingTarget("spasticity", "exam.spasticity", "sign"),
    "86854008": FindingTarget("hyperreflexia", "exam.reflexes.overall", "reflex", "brisk"),
    "37280007": FindingTarget("areflexia", "exam.reflexes.overall", "reflex", "absent"),
    "274818004": FindingTarget("absent ankle reflex", "exam.reflexes.ankle", "reflex", "absent"),
    "397974008": FindingTarget("sensory loss", "exam.sensory_loss", "either_sensory"),
    "91019004": FindingTarget("paraesthesia", "symptoms.paraesthesia", "sign"),
    "68962001": FindingTarget("myalgia", "symptoms.myalgia"),
}

# Fields an absent 'sensory loss' clears: no sensory loss means none of any distribution.
SENSORY_LOSS_FIELDS = (
    "exam.sensory_loss_distal_symmetric",
    "exam.sensory_loss_dermatomal",
    "exam.sensory_level",
)

# ICD-10-CM symptom codes recorded as Conditions.
FINDINGS_ICD10: dict[str, FindingTarget] = {
    "R25.2": FindingTarget("cramp and spasm", "cramps.reported"),
    "G47.62": FindingTarget("sleep-related leg cramps", "cramps.reported"),
    "R25.1": FindingTarget("tremor", "symptoms.tremor"),
    "R25.3": FindingTarget("fasciculation", "exam.fasciculations", "sign"),
    "M62.81": FindingTarget(
        "muscle weakness (generalized)",
        "exam.weakness",
        "sign",
        regions=(BodyRegion.GENERALISED,),
    ),
    "R20.2": FindingTarget("paraesthesia of skin", "symptoms.paraesthesia", "sign"),
    "M79.1": FindingTarget("myalgia", "symptoms.myalgia"),
}

# SNOMED CT body structures for Observation.bodySite / Condition.bodySite.
BODY_SITES: dict[str, BodyRegion] = {
    "21974007": BodyRegion.TONGUE,
    "89545001": BodyRegion.FACE,
    "45048000": BodyRegion.NECK,
    "22943007": BodyRegion.TRUNK,
    "77568009": BodyRegion.BACK,
    "113345001": BodyRegion.ABDOMEN,
    "53120007": BodyRegion.UPPER_LIMB,
    "85562004": BodyRegion.HAND,
    "14975008": BodyRegion.FOREARM,
    "61685007": BodyRegion.LOWER_LIMB,
    "68367000": BodyRegion.THIGH,
    "53840002": BodyRegion.CALF,
    "56459004": BodyRegion.FOOT,
}

# Values of an Observation that say whether a finding is there (SNOMED CT qualifiers).
PRESENT_VALUES = frozenset({"52101004", "373066001", "10828004"})  # present, yes, positive
ABSENT_VALUES = frozenset({"2667000", "373067005", "260385009"})  # absent, no, negative

# --- Conditions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConditionTarget:
    """What a coded condition sets in the patient record.

    Attributes:
        label: a readable name for reports.
        sets: ``(field path, value)`` pairs to set when the condition is present.
        when_absent: pairs to set when the condition is refuted (``None``: only the first
            path of ``sets``, set to ``absent``).
        no_field: the condition is recognised but the record has no field for it; the
            text says why it is not used.
    """

    label: str
    sets: tuple[tuple[str, str | int], ...] = ()
    when_absent: tuple[tuple[str, str | int], ...] | None = None
    no_field: str | None = None


def _present(*paths: str) -> tuple[tuple[str, str | int], ...]:
    return tuple((path, "present") for path in paths)


_DM = "history.diabetes"
_CKD = "history.chronic_kidney_disease"


def _diabetes(kind: DiabetesType | None, label: str) -> ConditionTarget:
    sets: tuple[tuple[str, str | int], ...] = ((f"{_DM}.status", "present"),)
    if kind is None:
        return ConditionTarget(label, sets)
    # A refuted type of diabetes does not rule out diabetes of another type.
    return ConditionTarget(label, (*sets, (f"{_DM}.type", kind.value)), when_absent=())


def _ckd(stage: int | None, label: str) -> ConditionTarget:
    sets: tuple[tuple[str, str | int], ...] = ((f"{_CKD}.status", "present"),)
    if stage is None:
        return ConditionTarget(label, sets)
    # A refuted stage does not rule out kidney disease at another stage.
    return ConditionTarget(label, (*sets, (f"{_CKD}.stage", stage)), when_absent=())


def _sci(level: SpinalLevel | None, label: str) -> ConditionTarget:
    sets: tuple[tuple[str, str | int], ...] = (("history.spinal_cord_injury.status", "present"),)
    if level is None:
        return ConditionTarget(label, sets)
    return ConditionTarget(
        label, (*sets, ("history.spinal_cord_injury.level", level.value)), when_absent=()
    )


_NO_MND_FIELD = (
    "the patient record has no field for a known diagnosis of motor neurone disease; "
    "record the examination findings (fasciculations, weakness, reflexes) instead"
)
_DIALYSIS_MODALITY = (
    "dialysis dependence does not say haemodialysis or peritoneal dialysis; "
    "record history.chronic_kidney_disease.haemodialysis"
)

CONDITIONS_SNOMED: dict[str, ConditionTarget] = {
    "73211009": _diabetes(None, "diabetes mellitus"),
    "46635009": _diabetes(DiabetesType.TYPE1, "type 1 diabetes mellitus"),
    "44054006": _diabetes(DiabetesType.TYPE2, "type 2 diabetes mellitus"),
    "15777000": ConditionTarget(
        "prediabetes", no_field="prediabetes is not diabetes; crampdx reads HbA1c and glucose"
    ),
    "709044004": _ckd(None, "chronic kidney disease"),
    "431855005": _ckd(1, "chronic kidney disease stage 1"),
    "431856006": _ckd(2, "chronic kidney disease stage 2"),
    "433144002": _ckd(3, "chronic kidney disease stage 3"),
    "431857002": _ckd(4, "chronic kidney disease stage 4"),
    "433146000": _ckd(5, "chronic kidney disease stage 5"),
    "46177005": _ckd(5, "end-stage renal disease"),
    "105502003": ConditionTarget("dependence on renal dialysis", no_field=_DIALYSIS_MODALITY),
    "19943007": ConditionTarget("cirrhosis of liver", _present("history.cirrhosis")),
    "40930008": ConditionTarget("hypothyroidism", _present("history.hypothyroidism")),
    "34486009": ConditionTarget("hyperthyroidism", _present("history.hyperthyroidism")),
    "24700007": ConditionTarget("multiple sclerosis", _present("history.multiple_sclerosis")),
    "90584004": _sci(None, "spinal cord injury"),
    "399957001": ConditionTarget(
        "peripheral arterial occlusive disease", _present("history.peripheral_artery_disease")
    ),
    "86044005": ConditionTarget("amyotrophic lateral sclerosis", no_field=_NO_MND_FIELD),
    "49049000": ConditionTarget("Parkinson disease", _present("history.parkinson_disease")),
    "91637004": ConditionTarget("myasthenia gravis", _present("history.myasthenia_gravis")),
    "38341003": ConditionTarget("hypertension", _present("history.hypertension")),
    "49436004": ConditionTarget("atrial fibrillation", _present("history.atrial_fibrillation")),
    "53741008": ConditionTarget(
        "coronary arteriosclerosis", _present("history.cardiovascular_disease")
    ),
    "22298006": ConditionTarget(
        "myocardial infarction", _present("history.cardiovascular_disease")
    ),
    "230690007": ConditionTarget(
        "cerebrovascular accident", _present("history.cardiovascular_disease")
    ),
    "86406008": ConditionTarget("HIV infection", _present("history.hiv")),
    "77386006": ConditionTarget("pregnancy", _present("pregnancy.status")),
    "72892002": ConditionTarget("normal pregnancy", _present("pregnancy.status")),
    "7200002": ConditionTarget("alcoholism", _present("history.alcohol_use_disorder")),
    "55464009": ConditionTarget(
        "systemic lupus erythematosus",
        _present("history.lupus_or_rheumatoid_arthritis", "history.autoimmune_disease"),
        when_absent=(),
    ),
    "69896004": ConditionTarget(
        "rheumatoid arthritis",
        _present("history.lupus_or_rheumatoid_arthritis", "history.autoimmune_disease"),
        when_absent=(),
    ),
    "363346000": ConditionTarget("malignant neoplastic disease", _present("history.cancer.status")),
}

# ICD-10-CM: the longest listed prefix of the (dotted, upper-case) code wins.
CONDITIONS_ICD10: dict[str, ConditionTarget] = {
    "E10": _diabetes(DiabetesType.TYPE1, "type 1 diabetes mellitus"),
    "E11": _diabetes(DiabetesType.TYPE2, "type 2 diabetes mellitus"),
    "E08": _diabetes(DiabetesType.OTHER, "diabetes due to an underlying condition"),
    "E09": _diabetes(DiabetesType.OTHER, "drug- or chemical-induced diabetes"),
    "E13": _diabetes(DiabetesType.OTHER, "other specified diabetes mellitus"),
    "R73.03": ConditionTarget(
        "prediabetes", no_field="prediabetes is not diabetes; crampdx reads HbA1c and glucose"
    ),
    "N18.1": _ckd(1, "chronic kidney disease stage 1"),
    "N18.2": _ckd(2, "chronic kidney disease stage 2"),
    # N18.3 is no longer billable: N18.30 unspecified, N18.31 stage 3a, N18.32 stage 3b.
    "N18.3": _ckd(3, "chronic kidney disease stage 3"),
    "N18.4": _ckd(4, "chronic kidney disease stage 4"),
    "N18.5": _ckd(5, "chronic kidney disease stage 5"),
    "N18.6": _ckd(5, "end-stage renal disease"),
    "N18.9": _ckd(None, "chronic kidney disease, unspecified"),
    "Z99.2": ConditionTarget("dependence on renal dialysis", no_field=_DIALYSIS_MODALITY),
    "K70.3": ConditionTarget("alcoholic cirrhosis of liver", _present("history.cirrhosis")),
    "K74.3": ConditionTarget("primary biliary cirrhosis", _present("history.cirrhosis")),
    "K74.4": ConditionTarget("secondary biliary cirrhosis", _present("history.cirrhosis")),
    "K74.5": ConditionTarget("biliary cirrhosis, unspecified", _present("history.cirrhosis")),
    "K74.6": ConditionTarget("other and unspecified cirrhosis", _present("history.cirrhosis")),
    "E02": ConditionTarget(
        "subclinical iodine-deficiency hypothyroidism", _present("history.hypothyroidism")
    ),
    "E03": ConditionTarget("hypothyroidism", _present("history.hypothyroidism")),
    "E89.0": ConditionTarget("postprocedural hypothyroidism", _present("history.hypothyroidism")),
    "E05": ConditionTarget("thyrotoxicosis", _present("history.hyperthyroidism")),
    # G35 was split in the 2026 release; the bare G35 still appears in older records.
    "G35": ConditionTarget("multiple sclerosis", _present("history.multiple_sclerosis")),
    "S14.0": _sci(SpinalLevel.CERVICAL, "injury of cervical spinal cord"),
    "S14.1": _sci(SpinalLevel.CERVICAL, "injury of cervical spinal cord"),
    "S24.0": _sci(SpinalLevel.THORACIC, "injury of thoracic spinal cord"),
    "S24.1": _sci(SpinalLevel.THORACIC, "injury of thoracic spinal cord"),
    "S34.0": _sci(SpinalLevel.LUMBAR, "injury of lumbar spinal cord"),
    "S34.1": _sci(SpinalLevel.LUMBAR, "injury of lumbar spinal cord"),
    "I70.2": ConditionTarget(
        "atherosclerosis of native arteries of the extremities",
        _present("history.peripheral_artery_disease"),
    ),
    "I73.9": ConditionTarget(
        "peripheral vascular disease, unspecified", _present("history.peripheral_artery_disease")
    ),
    "G12.21": ConditionTarget("amyotrophic lateral sclerosis", no_field=_NO_MND_FIELD),
    "G20": ConditionTarget("Parkinson disease", _present("history.parkinson_disease")),
    "G70.0": ConditionTarget("myasthenia gravis", _present("history.myasthenia_gravis")),
    "I10": ConditionTarget("essential hypertension", _present("history.hypertension")),
    "I11": ConditionTarget("hypertensive heart disease", _present("history.hypertension")),
    "I12": ConditionTarget("hypertensive chronic kidney disease", _present("history.hypertension")),
    "I13": ConditionTarget(
        "hypertensive heart and kidney disease", _present("history.hypertension")
    ),
    "I15": ConditionTarget("secondary hypertension", _present("history.hypertension")),
    "I48": ConditionTarget(
        "atrial fibrillation and flutter", _present("history.atrial_fibrillation")
    ),
    "I20": ConditionTarget("angina pectoris", _present("history.cardiovascular_disease")),
    "I21": ConditionTarget(
        "acute myocardial infarction", _present("history.cardiovascular_disease")
    ),
    "I25": ConditionTarget(
        "chronic ischaemic heart disease", _present("history.cardiovascular_disease")
    ),
    "I63": ConditionTarget("cerebral infarction", _present("history.cardiovascular_disease")),
    "B20": ConditionTarget("HIV disease", _present("history.hiv")),
    "Z21": ConditionTarget("asymptomatic HIV infection status", _present("history.hiv")),
    "Z33.1": ConditionTarget("pregnant state, incidental", _present("pregnancy.status")),
    "Z34": ConditionTarget("supervision of normal pregnancy", _present("pregnancy.status")),
    "F10.1": ConditionTarget("alcohol abuse", _present("history.alcohol_use_disorder")),
    "F10.2": ConditionTarget("alcohol dependence", _present("history.alcohol_use_disorder")),
    "E27.1": ConditionTarget(
        "primary adrenocortical insufficiency", _present("history.adrenal_insufficiency")
    ),
    "E27.2": ConditionTarget("Addisonian crisis", _present("history.adrenal_insufficiency")),
    "E27.4": ConditionTarget(
        "other adrenocortical insufficiency", _present("history.adrenal_insufficiency")
    ),
    "M05": ConditionTarget(
        "rheumatoid arthritis with rheumatoid factor",
        _present("history.lupus_or_rheumatoid_arthritis", "history.autoimmune_disease"),
        when_absent=(),
    ),
    "M06": ConditionTarget(
        "other rheumatoid arthritis",
        _present("history.lupus_or_rheumatoid_arthritis", "history.autoimmune_disease"),
        when_absent=(),
    ),
    "M32": ConditionTarget(
        "systemic lupus erythematosus",
        _present("history.lupus_or_rheumatoid_arthritis", "history.autoimmune_disease"),
        when_absent=(),
    ),
    "K90": ConditionTarget(
        "intestinal malabsorption", _present("history.malabsorption_or_bariatric_surgery")
    ),
    "Z98.84": ConditionTarget(
        "bariatric surgery status", _present("history.malabsorption_or_bariatric_surgery")
    ),
    "C50": ConditionTarget(
        "malignant neoplasm of breast",
        _present("history.cancer.status", "history.cancer.breast"),
        when_absent=(("history.cancer.breast", "absent"),),
    ),
    "C37": ConditionTarget(
        "malignant neoplasm of thymus",
        _present("history.cancer.status", "history.cancer.thymoma"),
        when_absent=(("history.cancer.thymoma", "absent"),),
    ),
    "F17.2": ConditionTarget("nicotine dependence", _present("history.smoking")),
    "Z87.891": ConditionTarget("history of nicotine dependence", _present("history.smoking")),
    "B91": ConditionTarget("sequelae of poliomyelitis", _present("history.prior_polio")),
    "M48.06": ConditionTarget(
        "spinal stenosis, lumbar region", _present("history.lumbar_spine_disease")
    ),
    "M51.16": ConditionTarget(
        "lumbar disc disorder with radiculopathy", _present("history.lumbar_spine_disease")
    ),
    "M51.17": ConditionTarget(
        "lumbosacral disc disorder with radiculopathy", _present("history.lumbar_spine_disease")
    ),
    "M51.26": ConditionTarget(
        "other lumbar disc displacement", _present("history.lumbar_spine_disease")
    ),
    "M51.36": ConditionTarget(
        "other lumbar disc degeneration", _present("history.lumbar_spine_disease")
    ),
    "M47.12": ConditionTarget(
        "cervical spondylosis with myelopathy", _present("history.cervical_spondylosis")
    ),
    "M47.22": ConditionTarget(
        "cervical spondylosis with radiculopathy", _present("history.cervical_spondylosis")
    ),
    "M47.812": ConditionTarget(
        "cervical spondylosis without myelopathy", _present("history.cervical_spondylosis")
    ),
}

# Any malignant neoplasm (C00–C96) records a history of cancer, even if not listed above.
_MALIGNANT = re.compile(r"^C([0-8]\d|9[0-6])")
_CANCER = ConditionTarget("malignant neoplasm", _present("history.cancer.status"), when_absent=())

_ICD10_SHAPE = re.compile(r"^[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$")


def normalise_icd10(code: str) -> str | None:
    """Upper-case a code and put the dot after the category (``e119`` → ``E11.9``).

    Returns ``None`` when the text is not shaped like an ICD-10-CM code.
    """
    compact = code.strip().upper().replace(".", "")
    if len(compact) < 3:
        return None
    dotted = compact[:3] if len(compact) == 3 else f"{compact[:3]}.{compact[3:]}"
    return dotted if _ICD10_SHAPE.match(dotted) else None


def icd10_lookup(code: str) -> tuple[str, ConditionTarget | FindingTarget] | None:
    """The most specific table entry for an ICD-10-CM code, with the prefix that matched."""
    dotted = normalise_icd10(code)
    if dotted is None:
        return None
    for end in range(len(dotted), 2, -1):
        prefix = dotted[:end].rstrip(".")
        if prefix in FINDINGS_ICD10:
            return prefix, FINDINGS_ICD10[prefix]
        if prefix in CONDITIONS_ICD10:
            return prefix, CONDITIONS_ICD10[prefix]
    if _MALIGNANT.match(dotted):
        return dotted[:3], _CANCER
    return None


# Tobacco smoking status (LOINC 72166-2) answers.
SMOKING_STATUS_CODE = "72166-2"
SMOKING_STATUS: dict[str, str | None] = {
    "449868002": "present",  # smokes tobacco daily
    "428041000124106": "present",  # occasional tobacco smoker
    "77176002": "present",  # smoker
    "65568007": "present",  # cigarette smoker
    "428071000124103": "present",  # heavy tobacco smoker
    "428061000124105": "present",  # light tobacco smoker
    "8517006": "present",  # ex-smoker: the field asks "current or former smoker?"
    "266919005": "absent",  # never smoked tobacco
    "266927001": None,  # tobacco smoking consumption unknown
}

# --- Procedures and diagnostic reports ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProcedureTarget:
    """A procedure code: a workup catalogue test, or a history field it records."""

    label: str
    test: str | None = None
    sets: tuple[tuple[str, str | int], ...] = ()


def _cpt(test: str, label: str, *codes: str) -> dict[tuple[str, str], ProcedureTarget]:
    return {(CPT, code): ProcedureTarget(label, test=test) for code in codes}


# Keys are (system, code). Test ids are workup catalogue ids (rules/_workup.yaml); a test
# keeps them in step with the catalogue.
PROCEDURES: dict[tuple[str, str], ProcedureTarget] = {
    **_cpt("ncs", "nerve conduction studies", *(f"{n}" for n in range(95907, 95914))),
    **_cpt(
        "emg",
        "needle electromyography",
        "95860",
        "95861",
        "95863",
        "95864",
        "95867",
        "95868",
        "95869",
        "95870",
        "95885",
        "95886",
        "95887",
    ),
    **_cpt("repetitive_stimulation", "repetitive nerve stimulation", "95937"),
    **_cpt("mri_brain", "MRI brain", "70551", "70552", "70553"),
    **_cpt("mri_cervical_spine", "MRI cervical spine", "72141", "72142", "72156"),
    **_cpt("mri_lumbar_spine", "MRI lumbar spine", "72148", "72149", "72158"),
    **_cpt("ct_chest", "CT chest", "71250", "71260", "71270"),
    **_cpt("ecg", "12-lead ECG", "93000", "93005", "93010"),
    **_cpt("abi", "ankle-brachial index", "93922", "93923"),
    **_cpt("arterial_duplex", "arterial duplex of the limb", "93925", "93926"),
    **_cpt("venous_ultrasound", "venous duplex of the limb", "93970", "93971"),
    **_cpt("respiratory_function", "spirometry", "94010"),
    **_cpt("muscle_biopsy", "muscle biopsy", "20200", "20205"),
    **_cpt("csf_analysis", "lumbar puncture", "62270"),
    (SNOMED, "42803009"): ProcedureTarget("electromyography", test="emg"),
    (SNOMED, "29303009"): ProcedureTarget("electrocardiographic procedure", test="ecg"),
    # Haemodialysis records the history field, not a test.
    (SNOMED, "302497006"): ProcedureTarget(
        "haemodialysis", sets=(("history.chronic_kidney_disease.haemodialysis", "present"),)
    ),
    (CPT, "90935"): ProcedureTarget(
        "haemodialysis", sets=(("history.chronic_kidney_disease.haemodialysis", "present"),)
    ),
    (CPT, "90937"): ProcedureTarget(
        "haemodialysis", sets=(("history.chronic_kidney_disease.haemodialysis", "present"),)
    ),
}

# Overall results of a study (DiagnosticReport.conclusionCode, Observation.interpretation).
CONCLUSION_RESULTS: dict[tuple[str, str], str] = {
    (SNOMED, "17621005"): "normal",
    (SNOMED, "263654008"): "abnormal",
    (SNOMED, "419984006"): "inconclusive",
    ("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "N"): "normal",
    ("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "A"): "abnormal",
    ("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "IND"): "inconclusive",
}
