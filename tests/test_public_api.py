"""The package's public names: ``crampdx.__all__`` is complete, sorted and importable."""

from __future__ import annotations

import re
import types

import crampdx


def isort_style(name: str) -> tuple[int, list[int | str]]:
    """The order ``ruff`` enforces for ``__all__`` (rule RUF022, isort-style).

    SCREAMING_SNAKE_CASE constants first, then CamelCase classes, then everything
    else; within a group, a natural sort (digits compared as numbers).
    """
    if len(name) > 1 and name.isupper():
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    chunks = [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name) if part]
    return group, chunks


def exported_names() -> set[str]:
    """Public names bound in the package namespace (modules and __future__ flags aside)."""
    return {
        name
        for name, value in vars(crampdx).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and type(value).__module__ != "__future__"
    }


def test_all_is_sorted_without_duplicates() -> None:
    assert list(crampdx.__all__) == sorted(crampdx.__all__, key=isort_style)
    assert len(set(crampdx.__all__)) == len(crampdx.__all__)


def test_every_name_in_all_resolves() -> None:
    missing = [name for name in crampdx.__all__ if not hasattr(crampdx, name)]
    assert missing == []


def test_all_lists_every_public_name() -> None:
    listed = {name for name in crampdx.__all__ if not name.startswith("__")}
    assert listed == exported_names()


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from crampdx import *", namespace)
    namespace.pop("__builtins__")
    assert set(namespace) == set(crampdx.__all__)


def test_the_entry_point_and_the_version() -> None:
    assert callable(crampdx.assess)
    assert isinstance(crampdx.__version__, str)
    assert crampdx.__version__
