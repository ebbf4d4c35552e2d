"""Test tooling: assertion helpers, the case-file runner and Hypothesis strategies.

The assertion helpers and case files work with a plain ``pip install crampdx``.
The Hypothesis strategies (:mod:`crampdx.testing.strategies`) need Hypothesis
installed, so they are imported only when first used::

    from crampdx.testing import assert_ranks_top       # always available
    from crampdx.testing import strategies             # needs hypothesis
"""

from __future__ import annotations

import importlib
from types import ModuleType

from crampdx.testing.assertions import (
    assert_absent,
    assert_in_workup,
    assert_no_red_flags,
    assert_no_tests,
    assert_not_in_workup,
    assert_ranks_top,
    assert_red_flag,
    describe_assessment,
)
from crampdx.testing.cases import (
    Case,
    CaseFile,
    CaseResult,
    Expect,
    LocatedCase,
    case_files,
    load_case_file,
    run_case,
)

__all__ = [
    "Case",
    "CaseFile",
    "CaseResult",
    "Expect",
    "LocatedCase",
    "assert_absent",
    "assert_in_workup",
    "assert_no_red_flags",
    "assert_no_tests",
    "assert_not_in_workup",
    "assert_ranks_top",
    "assert_red_flag",
    "case_files",
    "describe_assessment",
    "load_case_file",
    "run_case",
    "strategies",
]


def _strategies() -> ModuleType:
    return importlib.import_module("crampdx.testing.strategies")


def __getattr__(name: str) -> object:
    # Imported lazily: the strategies need Hypothesis, a test-time dependency only.
    if name == "strategies":
        return _strategies()
    if not name.startswith("_"):
        try:
            module = _strategies()
        except ImportError:
            module = None
        if module is not None and name in getattr(module, "__all__", ()):
            return getattr(module, name)
    raise AttributeError(f"module 'crampdx.testing' has no attribute {name!r}")
