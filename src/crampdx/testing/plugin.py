"""The crampdx pytest plugin: every rule's inline cases and every case file, as test items.

Installed with crampdx (entry point ``pytest11: crampdx``). A plain ``pytest``
run then also collects:

* one item per inline case of every active rule, on each available engine,
  named ``<rule id>[fires-0-reference]``, under the rule's file;
* one item per case in every case file under the cases folder (default
  ``tests/cases``), named after the case.

Options (command line, or the ini key in ``[tool.pytest.ini_options]``):

* ``--crampdx-rules DIR`` / ``crampdx_rules``: extra rules folders, beside the shipped rules;
* ``--crampdx-rules-only`` / ``crampdx_rules_only``: only those folders, not the shipped rules;
* ``--crampdx-cases DIR`` / ``crampdx_cases``: the case-file folder (default ``tests/cases``);
* ``--crampdx-engine NAME`` / ``crampdx_engines``: engines to run (default: every available
  one for inline cases, the preferred one for case files).

Rule items are added when the whole suite runs (``pytest``, ``pytest tests``)
or when rules are named explicitly; ``pytest tests/cli`` does not run them.
Disable the plugin with ``-p no:crampdx``.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from crampdx.errors import CrampdxError

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionInfo, TerminalRepr, TracebackStyle

    from crampdx.engine.base import CompiledKnowledgeBase, Engine
    from crampdx.kb.cases import InlineCase
    from crampdx.testing.cases import LocatedCase

__all__ = ["CaseFileCollector", "CaseItem", "RuleCaseItem", "RuleFileCollector"]

_SUFFIXES = {".yaml", ".yml"}
_MARKER = "crampdx: a knowledge-base test collected by the crampdx plugin"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("crampdx", "crampdx knowledge-base tests")
    group.addoption(
        "--crampdx-rules",
        action="append",
        default=[],
        metavar="DIR",
        help="extra rules folder, loaded beside the shipped rules (repeatable)",
    )
    group.addoption(
        "--crampdx-rules-only",
        action="store_true",
        default=None,
        help="load only the --crampdx-rules folders, not the shipped rules",
    )
    group.addoption(
        "--crampdx-cases",
        default=None,
        metavar="DIR",
        help="folder of case files (default: tests/cases under the rootdir)",
    )
    group.addoption(
        "--crampdx-engine",
        action="append",
        default=[],
        metavar="NAME",
        help="engine to run the cases on: durable or reference (repeatable; default: all)",
    )
    parser.addini("crampdx_rules", "extra rules folders, beside the shipped rules", type="paths")
    parser.addini(
        "crampdx_rules_only",
        "use only crampdx_rules, not the shipped rules",
        type="bool",
        default=False,
    )
    parser.addini("crampdx_cases", "folder of case files", default="tests/cases")
    parser.addini("crampdx_engines", "engines to run the cases on", type="args")


class _Settings:
    """The plugin's resolved options and its lazily loaded knowledge base and engines."""

    def __init__(self, config: pytest.Config) -> None:
        invocation = config.invocation_params.dir
        cli_rules = [invocation / p for p in config.getoption("crampdx_rules")]
        self.rules_given = bool(cli_rules)
        self.rule_dirs = [p.resolve() for p in cli_rules or config.getini("crampdx_rules")]
        only = config.getoption("crampdx_rules_only")
        self.rules_only = bool(config.getini("crampdx_rules_only") if only is None else only)
        if self.rules_only and not self.rule_dirs:
            raise pytest.UsageError("--crampdx-rules-only needs at least one --crampdx-rules DIR")
        cases = config.getoption("crampdx_cases")
        ini_base = config.inipath.parent if config.inipath else config.rootpath
        self.cases_dir = (
            (invocation / cases) if cases else (ini_base / config.getini("crampdx_cases"))
        ).resolve()
        self.engine_names: list[str] = (
            config.getoption("crampdx_engine") or config.getini("crampdx_engines") or []
        )
        self._compiled: CompiledKnowledgeBase | None = None
        self._error: CrampdxError | None = None
        self._folders: list[Path] | None = None
        self._by_file: dict[Path, list[InlineCase]] | None = None

    def compiled(self) -> CompiledKnowledgeBase:
        """The knowledge base under test, loaded once per session."""
        if self._error is not None:
            # Report the problems once; later collectors point back to that report.
            from crampdx.errors import KnowledgeBaseError

            raise KnowledgeBaseError(
                f"the knowledge base failed to load ({len(self._error.problems)} problem(s), "
                "listed in the first error above)"
            )
        if self._compiled is None:
            from crampdx.engine.base import CompiledKnowledgeBase
            from crampdx.kb.load import load_knowledge_base

            try:
                kb = load_knowledge_base(*self.rule_dirs, include_default=not self.rules_only)
            except CrampdxError as error:
                self._error = error
                raise
            self._compiled = CompiledKnowledgeBase(kb)
        return self._compiled

    def inline_cases_by_file(self) -> dict[Path, list[InlineCase]]:
        """Every inline case, grouped by the resolved path of its rule's file (computed once)."""
        if self._by_file is None:
            from crampdx.kb.cases import inline_cases

            compiled = self.compiled()
            resolved: dict[str, Path] = {}
            self._by_file = {}
            for case in inline_cases(compiled):
                origin = compiled.kb.origins[f"rule:{case.rule.id}"].path
                path = resolved.setdefault(origin, Path(origin).resolve())
                self._by_file.setdefault(path, []).append(case)
        return self._by_file

    @property
    def failed_to_load(self) -> bool:
        return self._error is not None

    def rule_folders(self) -> list[Path]:
        """The rules folders under test (shipped first, unless rules-only)."""
        if self._folders is None:
            from crampdx.kb.load import default_rules_dir

            shipped = [] if self.rules_only else [default_rules_dir().resolve()]
            self._folders = shipped + self.rule_dirs
        return self._folders

    def engines(self) -> list[str]:
        """Engines for inline cases: those asked for, or every available one."""
        from crampdx.engine.base import available_engines

        return list(self.engine_names or available_engines())

    def case_engines(self) -> list[str]:
        """Engines for case files: those asked for, or the preferred one only."""
        return self.engines() if self.engine_names else self.engines()[:1]

    def engine(self, name: str) -> Engine:
        """The engine called ``name``, built once per knowledge base."""
        return self.compiled().engine(name)

    def is_rule_file(self, path: Path) -> bool:
        resolved = path.resolve()
        return path.suffix in _SUFFIXES and any(
            resolved.is_relative_to(folder) for folder in self.rule_folders()
        )

    def is_case_file(self, path: Path) -> bool:
        return path.suffix in _SUFFIXES and path.resolve().is_relative_to(self.cases_dir)


_SETTINGS = pytest.StashKey[_Settings]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER)
    config.stash[_SETTINGS] = _Settings(config)


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = config.stash[_SETTINGS]
    rules = ", ".join(str(p) for p in settings.rule_dirs) or "none"
    shipped = "no" if settings.rules_only else "yes"
    return [f"crampdx: shipped rules: {shipped}; extra rules: {rules}; cases: {settings.cases_dir}"]


def _argument_paths(config: pytest.Config) -> list[Path]:
    base = config.invocation_params.dir
    return [(base / str(arg).split("::", 1)[0]).resolve() for arg in config.args]


def _whole_suite(config: pytest.Config, settings: _Settings) -> bool:
    """Is this run the whole suite (so rule items belong in it)?

    Yes for a plain ``pytest``; for named folders, when one holds the cases folder or
    rules were named with ``--crampdx-rules``; never when files or test ids are named.
    """
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        return True
    paths = _argument_paths(config)
    if not all(path.is_dir() for path in paths):
        return False
    return settings.rules_given or any(settings.cases_dir.is_relative_to(p) for p in paths)


def _walked(config: pytest.Config, folder: Path) -> bool:
    """Will pytest's own directory walk reach ``folder``?"""
    return any(folder.is_relative_to(path) for path in _argument_paths(config) if path.is_dir())


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Add the rules (and an out-of-tree cases folder) to a whole-suite session."""
    report = yield
    if isinstance(collector, pytest.Session) and report.passed:
        config = collector.config
        settings = config.stash[_SETTINGS]
        if _whole_suite(config, settings):
            for folder in settings.rule_folders():
                if folder.is_dir() and not _walked(config, folder):
                    report.result.append(_RulesFolder.under_session(collector, folder))
            cases = settings.cases_dir
            if cases.is_dir() and not _walked(config, cases):
                report.result.append(_CasesFolder.under_session(collector, cases))
    return report


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    settings = parent.config.stash[_SETTINGS]
    if settings.is_case_file(file_path):
        return CaseFileCollector.from_parent(parent, path=file_path)
    if settings.is_rule_file(file_path):
        return RuleFileCollector.from_parent(parent, path=file_path)
    return None


def _readable(excinfo: ExceptionInfo[BaseException]) -> str | None:
    if isinstance(excinfo.value, CrampdxError):
        return str(excinfo.value)
    return None


class _Folder(pytest.Directory):
    """A folder outside pytest's own walk, collected file by file."""

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        return _readable(excinfo) or super().repr_failure(excinfo)

    @classmethod
    def under_session(cls, session: pytest.Session, path: Path) -> _Folder:
        # Outside the rootdir (e.g. the installed package's rules) pytest has no
        # relative path to name the nodes by; name them after the folder instead.
        label = None if path.is_relative_to(session.config.rootpath) else path.name
        return cls.from_parent(session, path=path, nodeid=label)

    def _files(self) -> list[Path]:
        return sorted(p for p in self.path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())

    def _child_id(self, path: Path) -> str | None:
        if path.is_relative_to(self.config.rootpath):
            return None
        return f"{self.path.name}/{path.relative_to(self.path).as_posix()}"


class _RulesFolder(_Folder):
    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        # Load first, so a broken knowledge base is one error, not one per file.
        with_rules = self.config.stash[_SETTINGS].inline_cases_by_file()
        for path in self._files():
            if path.resolve() in with_rules:
                yield RuleFileCollector.from_parent(self, path=path, nodeid=self._child_id(path))


class _CasesFolder(_Folder):
    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        for path in self._files():
            yield CaseFileCollector.from_parent(self, path=path, nodeid=self._child_id(path))


class _CrampdxFile(pytest.File):
    """A collected file whose collection errors (broken rules, bad case files) read plainly."""

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        return _readable(excinfo) or super().repr_failure(excinfo)


class RuleFileCollector(_CrampdxFile):
    """The inline cases of the rules defined in one rule file."""

    def collect(self) -> Iterator[pytest.Item]:
        settings = self.config.stash[_SETTINGS]
        if settings.failed_to_load:
            return  # already reported once, with every problem
        engines = settings.engines()
        for case in settings.inline_cases_by_file().get(self.path.resolve(), ()):
            for engine in engines:
                name = f"{case.rule.id}[{case.kind}-{case.index}-{engine}]"
                item = RuleCaseItem.from_parent(self, name=name, case=case, engine_name=engine)
                item.add_marker(pytest.mark.crampdx)
                yield item


class RuleCaseFailed(AssertionError):
    """An inline case where the rule did not behave as its test says."""


class RuleCaseItem(pytest.Item):
    """One inline case (``tests.fires[i]`` or ``tests.does_not_fire[i]``) on one engine."""

    def __init__(self, *, case: InlineCase, engine_name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.engine_name = engine_name

    def runtest(self) -> None:
        from crampdx.kb.cases import run_inline_case

        settings = self.config.stash[_SETTINGS]
        result = run_inline_case(self.case, settings.engine(self.engine_name))
        if not result.passed:
            from crampdx.testing.cases import explain_inline

            raise RuleCaseFailed(explain_inline(result, settings.compiled(), self.engine_name))

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, RuleCaseFailed | CrampdxError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        origin = self.config.stash[_SETTINGS].compiled().kb.origins.get(f"rule:{self.case.rule.id}")
        line = None if origin is None else origin.line - 1
        return self.path, line, f"rule {self.case.rule.id} {self.case.kind}[{self.case.index}]"


class CaseFileCollector(_CrampdxFile):
    """The cases of one case file."""

    def collect(self) -> Iterator[pytest.Item]:
        from crampdx.testing.cases import load_case_file

        settings = self.config.stash[_SETTINGS]
        engines = settings.case_engines()
        for located in load_case_file(self.path):
            for engine in engines:
                name = located.case.name if len(engines) == 1 else f"{located.case.name}[{engine}]"
                item = CaseItem.from_parent(self, name=name, located=located, engine_name=engine)
                item.add_marker(pytest.mark.crampdx)
                yield item


class CaseFailed(AssertionError):
    """A case whose assessment does not meet its expectations."""


class CaseItem(pytest.Item):
    """One case of a case file, assessed on one engine."""

    def __init__(self, *, located: LocatedCase, engine_name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.located = located
        self.engine_name = engine_name
        self.extra_keyword_matches.add(located.cause)

    def runtest(self) -> None:
        from crampdx.testing.cases import run_case

        settings = self.config.stash[_SETTINGS]
        result = run_case(self.located, settings.compiled(), settings.engine(self.engine_name))
        if not result.passed:
            raise CaseFailed(result.explain())

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, CaseFailed | CrampdxError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.located.line - 1, f"case {self.located.case.name}"
