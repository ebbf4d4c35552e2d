"""The example patient records in examples/patients/ are valid and say what they claim."""

from __future__ import annotations

from pathlib import Path

import pytest

import crampdx
from crampdx.facts import patient_facts
from crampdx.record import load_patient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "patients"
FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".json", ".yaml", ".yml"})


def test_examples_cover_both_formats_and_the_demo() -> None:
    assert {p.suffix for p in FILES} >= {".json", ".yaml"}
    assert EXAMPLES / "demo-nocturnal-thiazide.yaml" in FILES


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_example_is_a_valid_record_named_after_its_file(path: Path) -> None:
    patient = load_patient(path)
    assert patient.id == path.stem
    assert patient.cramps.reported == "present"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_example_can_be_assessed(path: Path) -> None:
    assessment = crampdx.assess(load_patient(path), engine="reference")
    assert assessment.patient_id == path.stem
    assert assessment.differential


def test_demo_shows_a_diuretic_with_low_potassium_and_magnesium() -> None:
    facts = patient_facts(load_patient(EXAMPLES / "demo-nocturnal-thiazide.yaml"))
    assert facts["drug.thiazide"] == "present"
    assert facts["drug.thiazide.started_before_cramps"] == "present"
    assert facts["drug.loop_diuretic"] == "absent"  # the medication list is reconciled
    assert facts["lab.potassium"] == 3.2
    assert facts["lab.magnesium"] == 0.65
    assert facts["lab.potassium.below_reference"] == "present"
    assert facts["cramp.timing.nocturnal"] == "present"
    # The neurological examination is documented, not just unrecorded.
    for finding in ("exam.weakness", "exam.atrophy", "exam.sensory_loss_distal_symmetric"):
        assert facts[finding] == "absent"
    assert facts["exam.reflexes.overall"] == "normal"


def test_post_thyroidectomy_calcium_in_mg_dl_is_severely_low_once_corrected() -> None:
    facts = patient_facts(load_patient(EXAMPLES / "post-thyroidectomy-tetany.yaml"))
    # 6.8 mg/dL = 1.70 mmol/L; albumin 41 g/L corrects it to 1.68, below the 1.9 mmol/L
    # threshold of severe hypocalcaemia (Society for Endocrinology 2016).
    assert facts["lab.calcium_corrected"] == pytest.approx(1.677, abs=0.002)
    assert facts["lab.calcium_total.below_reference"] == "present"


def test_the_same_patient_in_si_and_us_units_gives_the_same_facts() -> None:
    si = patient_facts(load_patient(EXAMPLES / "diabetic-neuropathy-si.json"))
    us = patient_facts(load_patient(EXAMPLES / "diabetic-neuropathy-us.yaml"))
    assert set(si) == set(us)
    for name, value in si.items():
        if isinstance(value, float):
            # Reported values are rounded, so the two records agree to about 0.5 %.
            assert us[name] == pytest.approx(value, rel=0.005), name
        else:
            assert us[name] == value, name


def test_the_same_patient_in_si_and_us_units_gets_the_same_differential() -> None:
    si = crampdx.assess(load_patient(EXAMPLES / "diabetic-neuropathy-si.json"), engine="reference")
    us = crampdx.assess(load_patient(EXAMPLES / "diabetic-neuropathy-us.yaml"), engine="reference")
    assert [c.id for c in si.differential] == [c.id for c in us.differential]
    assert [w.test for w in si.workup] == [w.test for w in us.workup]
