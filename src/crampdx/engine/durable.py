"""The durable_rules engine, driven behind the guardrails of docs/engines.md.

durable_rules 2.0.28 is a Rete engine with a C core that is fast enough but
fragile: several ordinary inputs crash the process, sessions are identified by
a 32-bit hash, exceptions in actions are swallowed, and it cannot import on
Python 3.13. This module is the only one that imports it, and it drives it so
that none of the measured hazards can be reached:

* durable is imported lazily; :func:`is_available` says whether it can run here.
* Rulesets are plain JSON data built from the compiled knowledge base
  (:func:`build_network`), registered on a private ``Host`` whose background
  dispatch and timer threads are disabled, never on durable's module-global host.
* One ruleset per :class:`~crampdx.engine.base.CompiledKnowledgeBase`, with one
  live session at a time under a lock: patients never share a session, so sid
  hash collisions cannot matter, and the 1,024-session limit is never near.
* Every session starts with a sentinel fact whose rule always fires (deleting a
  session in which no action ran frees an uninitialised pointer) and is deleted
  in a ``finally`` block.
* Facts are asserted one at a time; numbers are written without exponents.
* Exceptions of any kind become :class:`~crampdx.errors.EngineError`, including
  exceptions swallowed inside actions and spurious "already observed" answers
  caused by 32-bit fact-id collisions.
* The network is checked against durable's structural limits before it is
  created, because exceeding some of them hangs or corrupts memory instead of
  raising.

Semantics are those of :mod:`crampdx.engine.reference`, which is the oracle:
every compiled test is positive, so a rule fires exactly when some alternative
has a fact satisfying each of its tests, and forward chaining order is
irrelevant.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import math
import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from crampdx.engine.base import CompiledKnowledgeBase, EngineName, Evaluation
from crampdx.errors import EngineError, EngineUnavailableError
from crampdx.facts import FactValue
from crampdx.kb.compile import Test

if TYPE_CHECKING:
    from durable.engine import Closure, Host, NativeEngine

__all__ = [
    "DurableEngine",
    "Network",
    "build_network",
    "is_available",
    "unavailable_reason",
]

# durable_rules 2.0.28 calls PyEval_CallObject, removed from the C API in 3.13.
_NEWEST_SUPPORTED_PYTHON: tuple[int, int] = (3, 12)

# --- durable_rules structural limits (rete.h, rules.h, rete.c) ------------------
# Rules in one ruleset (MAX_ACTIONS 4096; the 4097th is an error).
MAX_RULES: Final = 4000
# Facts joined by one rule (MAX_MESSAGES_IN_FRAME 16, error 304 at assert time).
MAX_BINDINGS: Final = 16
# Distinct tests under one alpha node: a 512-slot open-addressed table whose
# insertion loop never ends once it is full, so create_ruleset would hang.
MAX_CHILD_TESTS: Final = 500
# Rules fed by one alpha node: a 256-slot list whose end is only found by a zero
# entry, so a full list is read (and written) past its end. 256 users crashed in
# our probes; splitting at 200 keeps far from the edge.
MAX_RULES_PER_NODE: Final = 200

# --- the shape of facts in durable's working memory -----------------------------
# Facts look like {"kind": <namespace>, "name": <fact name>, "text"|"number": v}.
# Splitting by namespace keeps each alpha node under the 512-test limit; strings
# and numbers go to different properties because durable compares them
# asymmetrically (rule '3' matches fact 3, rule 3 does not match fact '3').
KIND, NAME, TEXT, NUMBER = "kind", "name", "text", "number"
_SID: Final = "patient"
_SENTINEL_KIND: Final = "$begin"
_SENTINEL_RULE: Final = "$begin"
_SENTINEL_ACTION: Final = "$begin"
_PRESENT: Final = "present"

# An alpha test as (property, operator, value); operators are durable's own.
AlphaTest = tuple[str, str, str | float | int]
# The tests of one binding, in network order: kind, name, then value tests.
Chain = tuple[AlphaTest, ...]

_DURABLE_OPERATORS: Final = {"lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


# ---------------------------------------------------------------------------------
# Availability
# ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Availability:
    reason: str | None


_availability: _Availability | None = None
_availability_lock = threading.Lock()


def _probe() -> _Availability:
    if sys.version_info[:2] > _NEWEST_SUPPORTED_PYTHON:
        return _Availability(
            f"durable_rules 2.0.28 cannot import on Python {sys.version_info.major}."
            f"{sys.version_info.minor} (it needs PyEval_CallObject, removed in 3.13)"
        )
    try:
        import durable.engine  # noqa: F401
    except Exception as error:  # ImportError, OSError from the C extension, anything
        return _Availability(f"durable_rules failed to import: {error}")
    return _Availability(None)


def _check() -> _Availability:
    global _availability
    with _availability_lock:
        if _availability is None:
            _availability = _probe()
        return _availability


def is_available() -> bool:
    """Can the durable engine run in this interpreter? Never raises."""
    return _check().reason is None


def unavailable_reason() -> str:
    """Why :func:`is_available` is False (an empty string when it is True)."""
    return _check().reason or ""


# ---------------------------------------------------------------------------------
# Compiling the knowledge base to a durable network (pure data, no durable import)
# ---------------------------------------------------------------------------------


def namespace(fact_name: str) -> str:
    """The ``kind`` of a fact: its name up to the first dot (``lab.potassium`` → ``lab``)."""
    return fact_name.split(".", 1)[0]


def _check_literal(value: float, test: Test, rule_id: str) -> float:
    # json.dumps writes these as exponents, NaN or Infinity, which durable cannot
    # parse (error 204/202); the linter rejects them (CDX-L011), this is a backstop.
    if not math.isfinite(value) or "e" in repr(value).lower():
        raise EngineError(
            f"rule {rule_id}: {test.finding} {test.op} {value!r} cannot be written "
            "for durable_rules (non-finite or exponent notation); use engine='reference'"
        )
    return value


def _choices(test: Test, rule_id: str) -> list[list[AlphaTest]]:
    """The ways one compiled test can hold, each a list of alpha tests on one fact.

    This mirrors :func:`crampdx.kb.compile.evaluate_test` case by case, including
    facts whose value has the other type (a number where a string is expected is
    unequal to it, so ``ne`` and ``not_in`` hold).
    """
    op, value = test.op, test.value
    if op in ("present", "absent"):
        return [[(TEXT, "eq", op)]]
    if op in ("eq", "ne"):
        if isinstance(value, str):
            prop, other = TEXT, NUMBER
        elif isinstance(value, float):
            prop, other = NUMBER, TEXT
            value = _check_literal(value, test, rule_id)
        else:
            raise EngineError(f"rule {rule_id}: cannot compile {test.op} {value!r}")
        if op == "eq":
            return [[(prop, "eq", value)]]
        return [[(prop, "$neq", value)], [(other, "$ex", 1)]]
    if op in ("in", "not_in"):
        if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
            raise EngineError(f"rule {rule_id}: {test.op} needs a list of strings")
        values = list(dict.fromkeys(value))
        if op == "in":
            return [[(TEXT, "eq", v)] for v in values]
        return [[(TEXT, "$neq", v) for v in values], [(NUMBER, "$ex", 1)]]
    if op in _DURABLE_OPERATORS:
        if not isinstance(value, float):
            raise EngineError(f"rule {rule_id}: {test.op} needs a number")
        return [[(NUMBER, _DURABLE_OPERATORS[op], _check_literal(value, test, rule_id))]]
    raise EngineError(f"rule {rule_id}: unknown operator {op!r}")


def _test_order(test: AlphaTest) -> tuple[str, str, str]:
    return (test[0], test[1], repr(test[2]))


def _possible(tests: Iterable[AlphaTest]) -> bool:
    """False when no single fact can pass every test (pruned: fewer beta nodes)."""
    props = {prop for prop, _, _ in tests}
    if TEXT in props and NUMBER in props:  # a fact holds a string or a number
        return False
    equal: dict[str, object] = {}
    for prop, op, value in tests:
        if op == "eq" and equal.setdefault(prop, value) != value:
            return False
    return True


def _bindings(alternative: tuple[Test, ...], rule_id: str) -> list[tuple[Chain, ...]]:
    """The durable conjunctions of one alternative: a product over the tests' choices."""
    by_fact: dict[str, list[Test]] = {}
    for test in alternative:
        by_fact.setdefault(test.finding, []).append(test)
    per_fact: list[list[Chain]] = []
    for finding in sorted(by_fact):
        head: Chain = ((KIND, "eq", namespace(finding)), (NAME, "eq", finding))
        chains: dict[Chain, None] = {}
        options = [_choices(test, rule_id) for test in by_fact[finding]]
        for combination in itertools.product(*options):
            tests = {t for choice in combination for t in choice}
            if _possible(tests):
                chains.setdefault(head + tuple(sorted(tests, key=_test_order)), None)
        if not chains:
            return []  # this alternative can never hold
        per_fact.append(list(chains))
    return [tuple(combination) for combination in itertools.product(*per_fact)]


@dataclass(frozen=True, slots=True)
class Group:
    """One durable rule: a conjunction shared by one or more crampdx rules.

    Attributes:
        name: the durable rule name, ``<first rule id>#<n>``.
        chains: one chain of alpha tests per bound fact.
        rule_ids: the crampdx rules this conjunction makes fire.
        derives: the derived findings those rules assert.
    """

    name: str
    chains: tuple[Chain, ...]
    rule_ids: tuple[str, ...]
    derives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Network:
    """A compiled knowledge base as durable_rules data.

    Attributes:
        groups: the durable rules, in definition order.
        always: rules with an empty alternative (true on any patient); they fire
            with the sentinel.
        findings: the fact names some rule reads; other facts are never asserted.
    """

    groups: tuple[Group, ...]
    always: Group
    findings: frozenset[str]

    @property
    def definition(self) -> dict[str, dict[str, Any]]:
        """The ruleset as JSON-ready data; ``run`` names the action to resolve."""
        rules: dict[str, dict[str, Any]] = {
            _SENTINEL_RULE: {
                "all": [{"b0": {KIND: _SENTINEL_KIND}}],
                "run": _SENTINEL_ACTION,
            }
        }
        for index, group in enumerate(self.groups):
            rules[group.name] = {
                "all": [
                    {f"b{position}": _expression(chain)}
                    for position, chain in enumerate(group.chains)
                ],
                "run": str(index),
            }
        return rules


def _expression(chain: Chain) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    for prop, op, value in chain:
        tests.append({prop: value} if op == "eq" else {op: {prop: value}})
    return {"$and": tests}


def _split_crowded_nodes(
    groups: list[tuple[tuple[Chain, ...], list[int]]],
) -> list[tuple[tuple[Chain, ...], list[int]]]:
    """Keep every alpha node under :data:`MAX_RULES_PER_NODE` rules.

    Past that, a chain gets a tautology test (``name != "~<k>"``, always true
    because the chain already requires the real name), which gives the k-th
    batch of rules its own alpha node.
    """
    uses: dict[Chain, int] = {}
    result = []
    for chains, members in groups:
        split: list[Chain] = []
        for chain in chains:
            batch = uses.get(chain, 0) // MAX_RULES_PER_NODE
            uses[chain] = uses.get(chain, 0) + 1
            if batch:
                filler = f"~{batch}"
                assert chain[1] != (NAME, "eq", filler)
                chain = (*chain, (NAME, "$neq", filler))
            split.append(chain)
        result.append((tuple(split), members))
    return result


def _check_limits(groups: tuple[Group, ...]) -> None:
    """Refuse networks that durable would hang or corrupt memory on."""
    if len(groups) + 1 > MAX_RULES:
        raise EngineError(
            f"the knowledge base compiles to {len(groups)} durable rules "
            f"(limit {MAX_RULES}); use engine='reference'"
        )
    children: dict[Chain, set[AlphaTest]] = {}
    feeds: dict[Chain, int] = {}
    for group in groups:
        if len(group.chains) > MAX_BINDINGS:
            raise EngineError(
                f"durable rule {group.name} joins {len(group.chains)} facts "
                f"(limit {MAX_BINDINGS}); use engine='reference'"
            )
        for chain in group.chains:
            feeds[chain] = feeds.get(chain, 0) + 1
            for depth in range(len(chain)):
                children.setdefault(chain[:depth], set()).add(chain[depth])
    for prefix, tests in children.items():
        if len(tests) > MAX_CHILD_TESTS:
            where = " and ".join(f"{p} {o} {v!r}" for p, o, v in prefix) or "the root"
            raise EngineError(
                f"{len(tests)} distinct tests follow {where} in the durable network "
                f"(limit {MAX_CHILD_TESTS}); use engine='reference'"
            )
    crowded = [chain for chain, count in feeds.items() if count > MAX_RULES_PER_NODE]
    if crowded:  # _split_crowded_nodes prevents this; checked so a regression cannot crash
        raise EngineError(f"an alpha node feeds more than {MAX_RULES_PER_NODE} rules")


def build_network(compiled: CompiledKnowledgeBase) -> Network:
    """Compile ``compiled`` into durable rules, one per distinct conjunction.

    Alternatives that are identical across rules become one durable rule that
    fires all of them, which keeps the network (and the per-session memory
    durable allocates for every rule) small.

    Raises:
        EngineError: a rule cannot be expressed for durable, or the network would
            exceed one of durable's structural limits.
    """
    by_conjunction: dict[tuple[Chain, ...], list[int]] = {}
    for index, rule in enumerate(compiled.rules):
        for alternative in rule.alternatives:
            for conjunction in _bindings(alternative, rule.id):
                members = by_conjunction.setdefault(conjunction, [])
                if index not in members:
                    members.append(index)
    always_members = by_conjunction.pop((), [])

    def derives_of(members: Iterable[int]) -> tuple[str, ...]:
        found = (getattr(compiled.rules[i].rule.then, "derive", None) for i in members)
        return tuple(dict.fromkeys(name for name in found if name is not None))

    groups: list[Group] = []
    numbering: dict[str, int] = {}
    for chains, members in _split_crowded_nodes(list(by_conjunction.items())):
        first = compiled.rules[members[0]].id
        numbering[first] = numbering.get(first, 0) + 1
        groups.append(
            Group(
                name=f"{first}#{numbering[first]}",
                chains=chains,
                rule_ids=tuple(compiled.rules[i].id for i in members),
                derives=derives_of(members),
            )
        )
    if any(namespace(name) == _SENTINEL_KIND for name in compiled.findings):
        raise EngineError(f"fact namespace {_SENTINEL_KIND!r} is reserved by the adapter")
    always = Group(
        name=_SENTINEL_RULE,
        chains=(),
        rule_ids=tuple(compiled.rules[i].id for i in always_members),
        derives=derives_of(always_members),
    )
    network = Network(groups=tuple(groups), always=always, findings=compiled.findings)
    _check_limits(network.groups)
    return network


# ---------------------------------------------------------------------------------
# Facts as JSON
# ---------------------------------------------------------------------------------


def number_literal(value: float) -> str:
    """``value`` as a JSON number durable parses exactly: never an exponent.

    durable's parser rejects ``1e-05`` (error 204) and reads a number without a
    dot as a 64-bit integer, so digits are written out in full and end in ``.0``
    when integral. The shortest round-tripping digits are kept, so the C
    ``atof`` reads back the very same double.
    """
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
        if "." not in text:
            text += ".0"
    return text


def _payload_prefixes(findings: Iterable[str]) -> dict[str, str]:
    def dump(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    return {
        name: f'{{"sid": "{_SID}", "{KIND}": {dump(namespace(name))}, "{NAME}": {dump(name)}, '
        for name in findings
    }


def _payload(prefix: str, name: str, value: object) -> str:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise EngineError(f"fact {name!r} is not valid Unicode text") from None
        # ensure_ascii=False as durable uses for rule literals: durable compares the
        # encoded text, so both sides must be encoded alike.
        return f'{prefix}"{TEXT}": {json.dumps(value, ensure_ascii=False)}}}'
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EngineError(f"fact {name!r} is {value!r}; durable_rules needs finite numbers")
        return f'{prefix}"{NUMBER}": {number_literal(value)}}}'
    raise EngineError(f"fact {name!r} has a {type(value).__name__} value; facts are str or float")


# ---------------------------------------------------------------------------------
# Driving durable
# ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Session:
    """What one patient's evaluation accumulates while durable runs its actions."""

    known: set[str]
    fired: set[str] = field(default_factory=set)
    derived: list[str] = field(default_factory=list)
    error: str | None = None


class _Dispatcher:
    """Runs the actions of one ruleset; holds the session of the patient in flight.

    Actions only record rule ids and assert derived facts. They run synchronously
    inside the caller's ``assert_fact`` (the host has no dispatch thread), while
    the ruleset lock is held, so ``session`` is the current patient's.
    """

    def __init__(self, network: Network, durable: _Durable) -> None:
        self.network = network
        self.durable = durable
        self.session: _Session | None = None

    def action(self, name: str) -> Callable[[Closure], None]:
        group = self.network.always if name == _SENTINEL_ACTION else self.network.groups[int(name)]

        def run(c: Closure) -> None:
            self.fire(group, c)

        return run

    def fire(self, group: Group, c: Closure) -> None:
        """Record that ``group`` matched and assert what its rules derive."""
        session = self.session
        if session is None:
            raise RuntimeError(f"durable ran {group.name} outside a patient's session")
        session.fired.update(group.rule_ids)
        for name in group.derives:
            if name in session.known:  # recorded, or derived already: nothing new
                continue
            session.known.add(name)
            session.derived.append(name)
            try:
                c.assert_fact({KIND: namespace(name), NAME: name, TEXT: _PRESENT})
            except self.durable.not_handled:
                pass  # no rule reads this derived finding
            except self.durable.observed:
                # Each derived fact is asserted once per session, so "already observed"
                # can only be a 32-bit fact-id collision: the fact was dropped.
                session.error = (
                    f"durable_rules dropped derived fact {name!r} "
                    "(spurious 'already observed': fact id hash collision)"
                )
                raise


@dataclass(frozen=True, slots=True)
class _Durable:
    """The parts of durable_rules the adapter uses, imported once and on demand."""

    host_class: Callable[[_Dispatcher], Host]
    not_handled: type[Exception]
    observed: type[Exception]
    native: NativeEngine


@cache
def _durable() -> _Durable:
    from durable import engine

    class _QuietHost(engine.Host):
        """A host without background threads whose actions come from a dispatcher."""

        def __init__(self, dispatcher: _Dispatcher) -> None:
            self._crampdx_dispatcher = dispatcher
            super().__init__()

        def _run(self) -> None:
            # The stock host re-arms two timer threads forever; its dispatch thread
            # crashed the process in measurements and runs actions on a foreign
            # thread. Actions run inside assert_fact without it.
            return None

        def get_action(self, action_name: str) -> Callable[[Closure], None]:
            return self._crampdx_dispatcher.action(action_name)

    return _Durable(
        host_class=_QuietHost,
        not_handled=engine.MessageNotHandledException,
        observed=engine.MessageObservedException,
        native=engine.durable_rules_engine,
    )


def _delete_native_ruleset(native: NativeEngine, handle: int) -> None:
    # Runs when a live network is garbage-collected: it has no live session then.
    with contextlib.suppress(Exception):  # interpreter shutdown: nothing to recover
        native.delete_ruleset(handle)


_network_serial = itertools.count(1)
_SENTINEL_PAYLOAD: Final = f'{{"sid": "{_SID}", "{KIND}": "{_SENTINEL_KIND}"}}'


class _LiveNetwork:
    """One registered durable ruleset and the means to run one patient on it."""

    def __init__(self, network: Network) -> None:
        durable = _durable()
        self.durable = durable
        self.dispatcher = _Dispatcher(network, durable)
        self.name = f"crampdx-{next(_network_serial)}"
        self.host = durable.host_class(self.dispatcher)
        # Ruleset() deletes "run" from the rules it is given: hand over a deep copy.
        self.host.set_rulesets({self.name: copy.deepcopy(network.definition)})
        self.ruleset = self.host.get_ruleset(self.name)
        self._release = weakref.finalize(
            self, _delete_native_ruleset, durable.native, self.ruleset._handle
        )

    def abandon(self) -> None:
        """Leak the native ruleset on purpose: its state is unknown, so never free it."""
        self._release.detach()

    def session_closed(self) -> bool:
        """Is there no live session? (get_state of a deleted sid is durable error 309.)"""
        try:
            self.host.get_state(self.name, _SID)
        except Exception:
            return True
        return False

    def _assert(self, payload: str) -> None:
        """Assert one JSON fact and run the actions it triggers, in this thread.

        This is ``Host.assert_fact`` minus its ``json.dumps``, which would write
        small and large numbers as exponents that durable cannot parse.
        """
        ruleset = self.ruleset
        raw = self.durable.native.assert_fact(ruleset._handle, payload)
        state_handle = ruleset._handle_result(raw, payload)
        errors: list[BaseException] = []

        def done(error: BaseException | None, _state: object) -> None:
            if error is not None:
                errors.append(error)

        ruleset.do_actions(state_handle, done)
        if errors:
            raise errors[0]

    def run(self, payloads: list[str], known: set[str]) -> Evaluation:
        """Evaluate one patient in a fresh session that is always deleted."""
        session = _Session(known=known)
        self.dispatcher.session = session
        failed = True
        try:
            # The sentinel's rule always fires, so every session has run an action
            # before it is deleted (deleting one that never did frees garbage).
            self._assert(_SENTINEL_PAYLOAD)
            for payload in payloads:
                try:
                    self._assert(payload)
                except self.durable.not_handled:
                    pass  # the value passes no rule's first test; durable keeps nothing
                except self.durable.observed as error:
                    # Fact names are unique in a patient, so this is an id collision.
                    raise EngineError(
                        "durable_rules refused a fact as 'already observed' (fact id "
                        f"hash collision): {payload}"
                    ) from error
            state = self.host.get_state(self.name, _SID)
            failed = False
        finally:
            self.dispatcher.session = None
            if failed:
                # Keep the original error; the caller checks whether the session survived.
                with contextlib.suppress(Exception):
                    self.host.delete_state(self.name, _SID)
            else:
                self.host.delete_state(self.name, _SID)
        if session.error:
            raise EngineError(session.error)
        if state.get("exception"):
            raise EngineError(f"a durable_rules action failed: {state['exception']}")
        return Evaluation(
            fired=tuple(sorted(session.fired)), derived=tuple(sorted(session.derived))
        )


class _SharedRuleset:
    """The one durable ruleset of a compiled knowledge base, used by every engine on it."""

    def __init__(self, compiled: CompiledKnowledgeBase) -> None:
        self.network = build_network(compiled)
        self.prefixes = _payload_prefixes(self.network.findings)
        self.lock = threading.Lock()
        self.live: _LiveNetwork | None = None
        self._connect()
        _all_rulesets.add(self)

    def _connect(self) -> _LiveNetwork:
        if self.live is None:
            try:
                self.live = _LiveNetwork(self.network)
            except Exception as error:
                raise EngineError(f"durable_rules could not build the ruleset: {error}") from error
        return self.live

    def payloads(self, facts: Mapping[str, FactValue]) -> list[str]:
        """The facts some rule reads, as durable JSON; other facts cannot fire anything."""
        prefixes = self.prefixes
        return [
            _payload(prefixes[name], name, value)
            for name, value in facts.items()
            if name in prefixes
        ]

    def evaluate(self, facts: Mapping[str, FactValue]) -> Evaluation:
        payloads = self.payloads(facts)
        known = set(facts)
        with self.lock:
            live = self._connect()
            try:
                return live.run(payloads, known)
            except Exception as error:
                if not live.session_closed():
                    # delete_state failed: never put another patient on this ruleset.
                    live.abandon()
                    self.live = None
                if isinstance(error, EngineError):
                    raise
                raise EngineError(f"durable_rules failed: {error}") from error

    def reset_after_fork(self) -> None:
        """In a forked child, a lock held by another parent thread would never be freed."""
        self.lock = threading.Lock()
        if self.live is not None and self.live.dispatcher.session is not None:
            self.live.abandon()
            self.live = None


_all_rulesets: weakref.WeakSet[_SharedRuleset] = weakref.WeakSet()
_shared: weakref.WeakKeyDictionary[CompiledKnowledgeBase, _SharedRuleset] = (
    weakref.WeakKeyDictionary()
)
_shared_lock = threading.Lock()


def _after_fork_in_child() -> None:
    global _shared_lock, _availability_lock
    _shared_lock = threading.Lock()
    _availability_lock = threading.Lock()
    for ruleset in list(_all_rulesets):
        ruleset.reset_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _shared_ruleset(compiled: CompiledKnowledgeBase) -> _SharedRuleset:
    with _shared_lock:
        ruleset = _shared.get(compiled)
        if ruleset is None:
            ruleset = _SharedRuleset(compiled)
            _shared[compiled] = ruleset
        return ruleset


class DurableEngine:
    """Evaluates a compiled knowledge base with durable_rules.

    Engines created for the same :class:`CompiledKnowledgeBase` share one durable
    ruleset. Patients are evaluated one at a time on it (durable holds the GIL
    throughout, so threads would not run in parallel anyway).

    Raises:
        EngineUnavailableError: durable_rules cannot run in this interpreter.
        EngineError: the knowledge base cannot be expressed for durable_rules.
    """

    name: EngineName = "durable"

    def __init__(self, compiled: CompiledKnowledgeBase) -> None:
        if not is_available():
            raise EngineUnavailableError(unavailable_reason())
        self.compiled = compiled
        self._ruleset = _shared_ruleset(compiled)

    @property
    def network(self) -> Network:
        """The durable rules this engine runs (for inspection and documentation)."""
        return self._ruleset.network

    def evaluate(self, facts: Mapping[str, FactValue]) -> Evaluation:
        """Fire every rule whose condition holds on ``facts``, with derived facts.

        Raises:
            EngineError: durable_rules failed on this patient; the engine stays
                usable for the next one.
        """
        return self._ruleset.evaluate(facts)
