"""The guardrails of the durable adapter: failures are typed and never poison later patients."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from crampdx.engine import CompiledKnowledgeBase, Engine
from crampdx.engine import durable as durable_module
from crampdx.errors import EngineError
from crampdx.facts import FactValue
from crampdx.kb.cases import inline_cases, run_inline_case
from crampdx.kb.model import Derive


@pytest.fixture(scope="module")
def deriving_patient(compiled: CompiledKnowledgeBase, reference: Engine) -> dict[str, FactValue]:
    """Facts of an inline case on which some derived finding is asserted."""
    for case in inline_cases(compiled):
        if isinstance(case.rule.then, Derive) and case.kind == "fires":
            facts = run_inline_case(case, reference).facts
            if reference.evaluate(facts).derived:
                return facts
    pytest.skip("no inline case derives a finding")


@pytest.mark.parametrize("raised", [ValueError("boom in action"), SystemExit(3)])
def test_an_exception_inside_an_action_becomes_engine_error(
    monkeypatch: pytest.MonkeyPatch,
    durable: Engine,
    reference: Engine,
    deriving_patient: dict[str, FactValue],
    raised: BaseException,
) -> None:
    def explode(self: Any, group: Any, c: Any) -> None:
        raise raised

    with monkeypatch.context() as patch:
        patch.setattr(durable_module._Dispatcher, "fire", explode)
        with pytest.raises(EngineError, match="action failed"):
            durable.evaluate(deriving_patient)
    # The failed session was deleted: the next patient is evaluated normally.
    assert durable.evaluate(deriving_patient) == reference.evaluate(deriving_patient)


def test_a_spurious_already_observed_derived_fact_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
    durable: Engine,
    reference: Engine,
    deriving_patient: dict[str, FactValue],
) -> None:
    # Simulates durable's 32-bit fact-id collision: a new derived fact is refused
    # as already observed. Swallowing that would silently drop the finding.
    from durable.engine import Closure, MessageObservedException

    def collide(self: Any, fact: Any, *_: Any) -> None:
        raise MessageObservedException(fact)

    with monkeypatch.context() as patch:
        patch.setattr(Closure, "assert_fact", collide)
        with pytest.raises(EngineError, match="dropped derived fact"):
            durable.evaluate(deriving_patient)
    assert durable.evaluate(deriving_patient) == reference.evaluate(deriving_patient)


def test_a_spurious_already_observed_input_fact_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
    durable: Engine,
    reference: Engine,
    deriving_patient: dict[str, FactValue],
) -> None:
    from durable.engine import MessageObservedException

    real = durable_module._LiveNetwork._assert

    def collide(self: Any, payload: str) -> None:
        if '"name"' in payload:  # every input fact, never the sentinel
            raise MessageObservedException(payload)
        real(self, payload)

    with monkeypatch.context() as patch:
        patch.setattr(durable_module._LiveNetwork, "_assert", collide)
        with pytest.raises(EngineError, match="already observed"):
            durable.evaluate(deriving_patient)
    assert durable.evaluate(deriving_patient) == reference.evaluate(deriving_patient)


def test_a_failed_session_delete_retires_the_ruleset(
    monkeypatch: pytest.MonkeyPatch,
    durable: Engine,
    reference: Engine,
    deriving_patient: dict[str, FactValue],
) -> None:
    shared = durable_module._shared_ruleset(durable.compiled)  # type: ignore[attr-defined]
    before = shared.live
    assert before is not None

    def refuse(*_: Any) -> None:
        raise RuntimeError("delete_state failed")

    with monkeypatch.context() as patch:
        patch.setattr(type(before.host), "delete_state", refuse)
        with pytest.raises(EngineError, match="delete_state failed"):
            durable.evaluate(deriving_patient)
    # The session it could not delete is left behind on a ruleset nobody uses again.
    assert durable.evaluate(deriving_patient) == reference.evaluate(deriving_patient)
    assert shared.live is not before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (math.nan, "finite"),
        (math.inf, "finite"),
        (3, "str or float"),
        (True, "str or float"),
        (None, "str or float"),
        ("\ud800", "Unicode"),
    ],
)
def test_facts_durable_cannot_represent_are_refused(
    compiled: CompiledKnowledgeBase,
    durable: Engine,
    reference: Engine,
    deriving_patient: dict[str, FactValue],
    value: object,
    message: str,
) -> None:
    name = min(compiled.findings)
    with pytest.raises(EngineError, match=message):
        durable.evaluate({name: value})  # type: ignore[dict-item]
    assert durable.evaluate(deriving_patient) == reference.evaluate(deriving_patient)


def test_facts_no_rule_reads_are_ignored(durable: Engine, reference: Engine) -> None:
    # Not even asserted, so values durable could not represent do not matter.
    facts: dict[str, FactValue] = {"no.rule.reads.this": math.nan, "neither.this": 3}
    assert durable.evaluate(facts) == reference.evaluate(facts)


def test_numbers_needing_an_exponent_reach_durable_exactly(
    compiled: CompiledKnowledgeBase, durable: Engine, reference: Engine
) -> None:
    numeric = sorted(
        test.finding
        for rule in compiled.rules
        for alternative in rule.alternatives
        for test in alternative
        if test.op in ("lt", "le", "gt", "ge")
    )
    if not numeric:
        pytest.skip("no rule compares numbers")
    for value in (1e-05, 5e-324, -1e-7, 1e16, 1.7976931348623157e308, -0.0):
        facts: dict[str, FactValue] = dict.fromkeys(numeric, value)
        assert durable.evaluate(facts) == reference.evaluate(facts), value


def test_a_forked_child_can_evaluate_while_a_parent_thread_held_the_lock() -> None:
    # Without the at-fork hook the child inherits the ruleset lock held by another
    # thread of the parent, and deadlocks on its first patient.
    script = textwrap.dedent(
        """
        import os, signal, sys, threading, time
        from crampdx.engine import CompiledKnowledgeBase, get_engine
        from crampdx.engine import durable as d
        from crampdx.kb.load import load_knowledge_base

        compiled = CompiledKnowledgeBase(load_knowledge_base())
        engine = get_engine(compiled, "durable")
        reference = get_engine(compiled, "reference")
        facts = {name: "present" for name in sorted(compiled.findings)[:30]}
        shared = d._shared_ruleset(compiled)
        held, release = threading.Event(), threading.Event()

        def hold():
            with shared.lock:
                held.set()
                release.wait()

        threading.Thread(target=hold, daemon=True).start()
        held.wait()
        pid = os.fork()
        if pid == 0:
            ok = engine.evaluate(facts) == reference.evaluate(facts)
            os._exit(0 if ok else 1)
        release.set()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                sys.exit(os.waitstatus_to_exitcode(status))
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)  # deadlocked
        os.waitpid(pid, 0)
        sys.exit("the forked child deadlocked")
        """
    )
    if not durable_module.is_available():
        pytest.skip(durable_module.unavailable_reason())
    result = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
