"""Assertion helpers for hand-written tests of assessments, with readable failures.

Each ``assert_*`` helper raises :class:`AssertionError` whose message says what
was expected, what the assessment shows instead, and the differential around
the cause concerned, so a failing test can be understood without a debugger::

    from crampdx import assess
    from crampdx.testing import assert_ranks_top, assert_in_workup

    assessment = assess(patient)
    assert_ranks_top(assessment, "hypokalaemia", 3)
    assert_in_workup(assessment, "electrolytes_renal", "ecg")

The ``check_*`` functions behind them return the failure sentence (or ``None``)
and are shared with the case-file runner.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crampdx.assessment.result import Assessment, EvidenceItem, RankedCause

__all__ = [
    "assert_absent",
    "assert_in_workup",
    "assert_no_red_flags",
    "assert_no_tests",
    "assert_not_in_workup",
    "assert_ranks_top",
    "assert_red_flag",
    "check_absent",
    "check_in_workup",
    "check_no_red_flags",
    "check_no_tests",
    "check_not_in_workup",
    "check_ranks_top",
    "check_red_flag",
    "check_tests_expected",
    "describe_assessment",
    "fired_rules",
]

# Causes always shown at the head of a failure report, besides those around the focus.
_HEAD = 5


def _position(n: int) -> str:
    return "first" if n == 1 else f"in the top {n}"


def _rule_ids(items: Iterable[EvidenceItem]) -> str:
    return ", ".join(item.rule_id for item in items) or "none"


def check_ranks_top(assessment: Assessment, cause: str, n: int = 1) -> str | None:
    """Why ``cause`` does not rank at or above position ``n`` (``None`` when it does)."""
    found = assessment.cause(cause)
    if found is None:
        return (
            f"expected {cause} to rank {_position(n)}; it is not in the differential "
            "(no rule supporting it fired)"
        )
    if found.rank <= n:
        return None
    above = ", ".join(
        f"{c.id} ({c.score:+.2f})" for c in assessment.differential[: found.rank - 1][:_HEAD]
    )
    return (
        f"expected {cause} to rank {_position(n)}; it ranks {found.rank} of "
        f"{len(assessment.differential)} (score {found.score:+.2f}, band {found.band}); "
        f"above it: {above}"
    )


def check_absent(assessment: Assessment, cause: str) -> str | None:
    """Why ``cause`` is listed although it should not be (``None`` when it is absent)."""
    found = assessment.cause(cause)
    if found is None:
        return None
    return (
        f"expected {cause} to be absent from the differential; it ranks {found.rank} "
        f"(score {found.score:+.2f}), supported by {_rule_ids(found.supporting)}"
    )


def check_red_flag(assessment: Assessment, flag: str, urgency: str | None = None) -> str | None:
    """Why red flag ``flag`` (with ``urgency``, when given) is not raised."""
    raised = [f for f in assessment.red_flags if f.id == flag]
    wanted = f"{flag} ({urgency})" if urgency else flag
    if not raised:
        others = ", ".join(f"{f.id} ({f.urgency})" for f in assessment.red_flags) or "none"
        return f"expected red flag {wanted}; it is not raised (raised: {others})"
    if urgency is not None and all(f.urgency != urgency for f in raised):
        got = ", ".join(f"{f.urgency} by {f.rule_id}" for f in raised)
        return f"expected red flag {wanted}; it is raised with urgency {got}"
    return None


def check_no_red_flags(assessment: Assessment) -> str | None:
    """Which red flags are raised, when none should be."""
    if not assessment.red_flags:
        return None
    raised = ", ".join(f"{f.id} ({f.urgency}, rule {f.rule_id})" for f in assessment.red_flags)
    return f"expected no red flags; raised: {raised}"


def _workup_text(assessment: Assessment) -> str:
    steps = ", ".join(f"{item.order}. {item.test}" for item in assessment.workup)
    if assessment.no_tests_reason:
        return f"no tests ({assessment.no_tests_reason}){'; ' + steps if steps else ''}"
    return steps or "empty"


def check_in_workup(assessment: Assessment, test: str) -> str | None:
    """Why ``test`` is not in the workup plan."""
    if any(item.test == test for item in assessment.workup):
        return None
    skipped = next((s for s in assessment.workup_skipped if s.test == test), None)
    detail = f"; it was skipped: {skipped.reason}" if skipped else ""
    return f"expected {test} in the workup{detail}; workup: {_workup_text(assessment)}"


def check_not_in_workup(assessment: Assessment, test: str) -> str | None:
    """Why ``test`` is in the workup plan although it should not be."""
    item = next((w for w in assessment.workup if w.test == test), None)
    if item is None:
        return None
    reasons = "; ".join(item.reasons) or "no reason given"
    rules = ", ".join(item.rule_ids) or "none"
    return (
        f"expected {test} not to be in the workup; it is step {item.order} "
        f"(rules {rules}: {reasons})"
    )


def _tests(assessment: Assessment) -> list[str]:
    # Tier 0 steps (medication review, bedside checks) are clinical actions, not tests.
    return [f"{item.order}. {item.test}" for item in assessment.workup if item.tier > 0]


def check_no_tests(assessment: Assessment) -> str | None:
    """Why the assessment does not say that no tests are needed.

    "No tests" means the assessment gives a reason for needing none and plans no
    test beyond tier 0 (clinical steps such as a medication review).
    """
    tests = _tests(assessment)
    if not tests and assessment.no_tests_reason is not None:
        return None
    if assessment.no_tests_reason is None:
        return f"expected 'no tests needed'; no rule said so; workup: {_workup_text(assessment)}"
    return f"expected no tests; the workup still lists: {', '.join(tests)}"


def check_tests_expected(assessment: Assessment) -> str | None:
    """Why the assessment says no tests are needed, when tests were expected."""
    if assessment.no_tests_reason is None:
        return None
    return f"expected tests; the assessment says none are needed: {assessment.no_tests_reason}"


def fired_rules(assessment: Assessment) -> tuple[str, ...]:
    """Every rule id the assessment shows as fired, sorted."""
    ids: set[str] = {item.rule_id for item in assessment.gate.evidence}
    for cause in assessment.differential:
        ids.update(item.rule_id for item in (*cause.supporting, *cause.conflicting))
    ids.update(flag.rule_id for flag in assessment.red_flags)
    ids.update(rule for item in assessment.workup for rule in item.rule_ids)
    ids.update(note.rule_id for note in assessment.management)
    return tuple(sorted(ids))


def _cause_line(cause: RankedCause, marked: bool) -> str:
    marker = ">>" if marked else "  "
    return (
        f"  {marker} {cause.rank:>2}. {cause.id:<36} score {cause.score:+6.2f}  "
        f"{cause.band:<8} {cause.status}"
    )


def _evidence_lines(cause: RankedCause) -> list[str]:
    lines = [
        f"         + {e.rule_id} (+{e.weight:g}, grade {e.evidence_grade})"
        for e in cause.supporting
    ]
    lines += [
        f"         - {e.rule_id} (-{e.weight:g}, grade {e.evidence_grade})"
        for e in cause.conflicting
    ]
    lines += [
        f"         ? {p.rule_id} ({p.effect} {p.weight:g}) needs {', '.join(p.missing)}"
        for p in cause.not_yet_known
    ]
    return lines


def describe_assessment(assessment: Assessment, focus: Iterable[str] = ()) -> str:
    """A compact text view of an assessment around the causes in ``focus``.

    Shows the gate and urgency, the head of the differential plus the causes next
    to each focus cause (with their evidence), red flags, the workup and every
    rule that fired.
    """
    focus = tuple(focus)
    differential = assessment.differential
    shown: set[int] = set(range(min(_HEAD, len(differential))))
    for cause_id in focus:
        rank = assessment.rank_of(cause_id)
        if rank is not None:
            shown.update(i for i in range(rank - 2, rank + 1) if 0 <= i < len(differential))
    gate = assessment.gate
    lines = [
        f"  gate: {gate.name} ({'true cramp' if gate.true_cramp else 'mimic'}); "
        f"overall urgency {assessment.urgency}",
        f"  differential ({len(differential)} cause{'' if len(differential) == 1 else 's'}):",
    ]
    previous = -1
    for index in sorted(shown):
        if index != previous + 1:
            lines.append("       ...")
        cause = differential[index]
        lines.append(_cause_line(cause, cause.id in focus))
        if cause.id in focus:
            lines += _evidence_lines(cause)
        previous = index
    if previous < len(differential) - 1:
        lines.append("       ...")
    lines += [f"     {c}: not in the differential" for c in focus if assessment.cause(c) is None]
    flags = ", ".join(f"{f.id} ({f.urgency})" for f in assessment.red_flags) or "none"
    lines.append(f"  red flags: {flags}")
    lines.append(f"  workup: {_workup_text(assessment)}")
    lines.append(f"  rules fired: {', '.join(fired_rules(assessment)) or 'none'}")
    return "\n".join(lines)


def _fail(message: str | None, assessment: Assessment, focus: Iterable[str] = ()) -> None:
    if message is not None:
        raise AssertionError(f"{message}\n{describe_assessment(assessment, focus)}")


def assert_ranks_top(assessment: Assessment, cause: str, n: int = 1) -> None:
    """Assert that ``cause`` ranks at position ``n`` or better (first by default).

    Raises:
        AssertionError: naming the rank found and the causes above it.
    """
    _fail(check_ranks_top(assessment, cause, n), assessment, (cause,))


def assert_absent(assessment: Assessment, cause: str) -> None:
    """Assert that ``cause`` is not in the differential at all.

    Raises:
        AssertionError: naming the rules that put it there.
    """
    _fail(check_absent(assessment, cause), assessment, (cause,))


def assert_red_flag(assessment: Assessment, flag: str, urgency: str | None = None) -> None:
    """Assert that red flag ``flag`` is raised, with ``urgency`` when given.

    Raises:
        AssertionError: listing the red flags that are raised.
    """
    _fail(check_red_flag(assessment, flag, urgency), assessment)


def assert_no_red_flags(assessment: Assessment) -> None:
    """Assert that no red flag is raised.

    Raises:
        AssertionError: listing the red flags raised and their rules.
    """
    _fail(check_no_red_flags(assessment), assessment)


def assert_in_workup(assessment: Assessment, *tests: str) -> None:
    """Assert that every test in ``tests`` (catalogue ids) is in the workup plan.

    Raises:
        AssertionError: showing the workup, and why a test was skipped if it was.
    """
    failures = [f for f in (check_in_workup(assessment, t) for t in tests) if f]
    _fail("\n".join(failures) or None, assessment)


def assert_not_in_workup(assessment: Assessment, *tests: str) -> None:
    """Assert that no test in ``tests`` (catalogue ids) is in the workup plan.

    Raises:
        AssertionError: naming the step and the rules that ordered the test.
    """
    failures = [f for f in (check_not_in_workup(assessment, t) for t in tests) if f]
    _fail("\n".join(failures) or None, assessment)


def assert_no_tests(assessment: Assessment) -> None:
    """Assert that the assessment says no tests are needed and plans none.

    Clinical steps of tier 0 (a medication review) may remain: they are not tests.

    Raises:
        AssertionError: listing the tests the workup holds.
    """
    _fail(check_no_tests(assessment), assessment)
