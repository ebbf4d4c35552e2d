"""Tests for ``crampdx.testing`` assertion helpers and the case-file model."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from crampdx.assessment.assess import assess
from crampdx.assessment.result import Assessment, RedFlagOut, WorkupItem
from crampdx.kb.load import load_knowledge_base
from crampdx.testing import (
    Expect,
    assert_absent,
    assert_in_workup,
    assert_no_red_flags,
    assert_no_tests,
    assert_not_in_workup,
    assert_ranks_top,
    assert_red_flag,
)

TINY_RULES = Path(__file__).parent / "data" / "tiny_rules"


@pytest.fixture(scope="module")
def low_k() -> Assessment:
    kb = load_knowledge_base(TINY_RULES, include_default=False)
    patient = {
        "cramps": {"reported": "present"},
        "labs": [{"analyte": "potassium", "value": 3.0, "unit": "mmol/L"}],
    }
    return assess(patient, knowledge_base=kb, engine="reference")


def _flag(urgency: str) -> RedFlagOut:
    return RedFlagOut(
        id="tiny_flag", name="Tiny flag", urgency=urgency, action="Act.", rule_id="x.flag",
        rule_title="Flag", trigger=(), evidence_grade="A", citations=(),
    )  # fmt: skip


def test_ranks_top_passes_and_fails_with_the_rank_and_what_is_above(low_k: Assessment) -> None:
    assert_ranks_top(low_k, "tiny_low_potassium")
    assert_ranks_top(low_k, "tiny_benign_cramps", 2)
    with pytest.raises(AssertionError) as failure:
        assert_ranks_top(low_k, "tiny_benign_cramps")
    message = str(failure.value)
    assert message.startswith("expected tiny_benign_cramps to rank first; it ranks 2 of 2")
    assert "above it: tiny_low_potassium (+2.00)" in message
    assert ">>  2. tiny_benign_cramps" in message  # the differential around it
    assert "+ tiny_benign_cramps.reported (+1, grade C)" in message


def test_ranks_top_on_an_unlisted_cause(low_k: Assessment) -> None:
    with pytest.raises(AssertionError, match="it is not in the differential"):
        assert_ranks_top(low_k, "hypokalaemia", 3)


def test_absent(low_k: Assessment) -> None:
    assert_absent(low_k, "hypokalaemia")
    with pytest.raises(AssertionError, match=r"supported by tiny_low_potassium\.low"):
        assert_absent(low_k, "tiny_low_potassium")


def test_red_flag_by_id_and_urgency(low_k: Assessment) -> None:
    assert_no_red_flags(low_k)
    with pytest.raises(AssertionError, match=r"expected red flag tiny_flag; it is not raised"):
        assert_red_flag(low_k, "tiny_flag")
    flagged = low_k.model_copy(update={"red_flags": (_flag("URGENT"),)})
    assert_red_flag(flagged, "tiny_flag")
    assert_red_flag(flagged, "tiny_flag", "URGENT")
    with pytest.raises(AssertionError, match=r"raised with urgency URGENT by x\.flag"):
        assert_red_flag(flagged, "tiny_flag", "EMERG")
    with pytest.raises(AssertionError, match=r"expected no red flags; raised: tiny_flag"):
        assert_no_red_flags(flagged)


def test_workup_membership(low_k: Assessment) -> None:
    assert_in_workup(low_k, "tiny_potassium_test")
    assert_not_in_workup(low_k, "ecg")
    with pytest.raises(AssertionError, match=r"expected ecg in the workup; workup: 1\. tiny_pot"):
        assert_in_workup(low_k, "tiny_potassium_test", "ecg")
    with pytest.raises(AssertionError, match=r"not to be in the workup; it is step 1"):
        assert_not_in_workup(low_k, "tiny_potassium_test")


def test_no_tests(low_k: Assessment) -> None:
    with pytest.raises(AssertionError, match="no rule said so"):
        assert_no_tests(low_k)
    quiet = low_k.model_copy(update={"workup": (), "no_tests_reason": "typical cramps"})
    assert_no_tests(quiet)
    leftover: tuple[WorkupItem, ...] = low_k.workup
    both = quiet.model_copy(update={"workup": leftover})
    with pytest.raises(AssertionError, match="the workup still lists"):
        assert_no_tests(both)


def test_expect_must_check_something() -> None:
    with pytest.raises(ValidationError, match="at least one expectation"):
        Expect()


def test_expect_red_flag_list_is_shorthand_for_any_urgency() -> None:
    assert Expect.model_validate({"red_flags": ["a", "b"]}).red_flags == {"a": None, "b": None}


def test_expect_rejects_contradictions() -> None:
    with pytest.raises(ValidationError, match="contradicts"):
        Expect(no_red_flags=True, red_flags={"a": "URGENT"})
    with pytest.raises(ValidationError, match="start at 1"):
        Expect(top_n={"a": 0})
