"""The knowledge base covers every cause and red flag of the clinical reference.

The lists below are the contract with clinicians: a cause or flag that goes missing
(renamed, deleted, retired by mistake) fails here by name.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from crampdx import load_knowledge_base
from crampdx.kb.model import Supports

REQUIRED_CAUSES = {
    "motor_neuron": [
        "als", "benign_fasciculation_syndrome", "isaacs_syndrome", "kennedy_disease",
        "multifocal_motor_neuropathy", "post_polio_syndrome",
    ],
    "peripheral_nerve": [
        "diabetic_polyneuropathy", "alcohol_related_neuropathy", "vitamin_b12_deficiency",
        "nutritional_neuropathy_other", "chemotherapy_induced_neuropathy", "toxic_neuropathy",
        "guillain_barre_syndrome", "cidp", "vasculitic_neuropathy", "infective_neuropathy",
        "radiculopathy", "lumbar_canal_stenosis", "charcot_marie_tooth", "traumatic_nerve_injury",
    ],
    "central": [
        "multiple_sclerosis", "spinal_cord_injury", "myelopathy", "stiff_person_syndrome",
        "parkinson_dystonia", "tetanus",
    ],
    "muscle": [
        "mcardle_disease", "cpt2_deficiency", "myotonic_dystrophy_1", "myotonic_dystrophy_2",
        "myotonia_congenita", "brody_rippling_muscle_disease", "dystrophinopathy",
        "inflammatory_myopathy", "statin_necrotising_myopathy",
    ],
    "electrolyte": [
        "hypokalaemia", "hyperkalaemia", "hypocalcaemia", "hypomagnesaemia", "hyponatraemia",
        "respiratory_alkalosis", "hypoglycaemia", "hypokalaemic_periodic_paralysis",
        "hyperkalaemic_periodic_paralysis", "thyrotoxic_periodic_paralysis", "gitelman_bartter",
        "primary_hyperaldosteronism", "liquorice_excess", "gastrointestinal_potassium_loss",
    ],
    "endocrine": [
        "hypothyroidism", "hyperthyroidism", "diabetes_mellitus", "adrenal_insufficiency",
        "hypoparathyroidism", "vitamin_d_deficiency",
    ],
    "drug": [
        "thiazide_diuretic", "potassium_sparing_diuretic", "loop_diuretic", "beta2_agonist",
        "statin_associated_muscle_symptoms", "afp_high_risk_drugs", "tyrosine_kinase_inhibitor",
        "isa_beta_blocker", "ace_inhibitor_arb", "calcium_channel_blocker",
        "cholinesterase_inhibitor", "lithium", "other_drug_associations", "proton_pump_inhibitor",
        "stimulants_and_withdrawal",
    ],
    "toxin": ["black_widow_envenomation"],
    "systemic": [
        "chronic_kidney_disease_dialysis", "cirrhosis", "pregnancy",
        "malabsorption_parenteral_nutrition",
    ],
    "vascular": ["peripheral_artery_disease", "acute_limb_ischaemia", "dvt_bakers_cyst"],
    "benign": [
        "idiopathic_nocturnal_leg_cramps", "familial_cramps", "exercise_associated_cramps",
        "exertional_rhabdomyolysis", "dehydration_volume_depletion",
    ],
}  # fmt: skip

# The 16 red flags of clinical reference §3 (some split by urgency).
REQUIRED_RED_FLAGS = [
    "severe_hypokalaemia", "periodic_paralysis_attack", "severe_hyperkalaemia",
    "symptomatic_hypocalcaemia", "severe_hypomagnesaemia", "rhabdomyolysis",
    "possible_motor_neurone_disease", "rapidly_progressive_weakness", "cauda_equina",
    "acute_focal_weakness", "myelopathy", "acute_limb_ischaemia", "suspected_dvt",
    "quinine_toxicity", "tetanus_or_stiff_person_crisis", "investigate_not_reassure",
]  # fmt: skip

CASES = Path(__file__).resolve().parents[1] / "cases"
KB = load_knowledge_base()
ALL_REQUIRED = sorted(cause for group in REQUIRED_CAUSES.values() for cause in group)


@pytest.mark.parametrize("cause_id", ALL_REQUIRED)
def test_cause_is_present_with_supporting_rules(cause_id: str):
    cause = KB.causes.get(cause_id)
    assert cause is not None, f"cause {cause_id} is missing from rules/"
    assert cause.status == "active"
    supports = [
        r for r in KB.active_rules()
        if isinstance(r.then, Supports) and r.then.supports == cause_id
    ]  # fmt: skip
    assert supports, f"cause {cause_id} has no active supporting rule"


@pytest.mark.parametrize("category", sorted(REQUIRED_CAUSES))
def test_causes_are_in_their_category(category: str):
    wrong = [c for c in REQUIRED_CAUSES[category] if KB.causes[c].category != category]
    assert not wrong


@pytest.mark.parametrize("flag_id", REQUIRED_RED_FLAGS)
def test_red_flag_is_defined_and_raised_by_a_rule(flag_id: str):
    assert flag_id in KB.red_flags
    raising = [r for r in KB.active_rules() if getattr(r.then, "red_flag", None) == flag_id]
    assert raising, f"no rule raises red flag {flag_id}"


@cache
def _case_expectations() -> dict[str, tuple[set[str], set[str]]]:
    """For each cause: the cases expecting it first, and those expecting it absent."""
    expectations: dict[str, tuple[set[str], set[str]]] = {}
    for path in sorted(CASES.rglob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for case in document.get("cases", []):
            expect = case.get("expect", {})
            if "top" in expect:
                expectations.setdefault(expect["top"], (set(), set()))[0].add(case["name"])
            for absent in expect.get("absent", []):
                expectations.setdefault(absent, (set(), set()))[1].add(case["name"])
    return expectations


@pytest.mark.parametrize("cause_id", sorted(KB.causes))
def test_every_cause_has_a_first_and_an_absent_case(cause_id: str):
    first, absent = _case_expectations().get(cause_id, (set(), set()))
    assert first, f"no case file expects {cause_id} to rank first"
    assert absent, f"no case file expects {cause_id} to be absent"
