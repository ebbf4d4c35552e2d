"""mkdocs hooks: generate the reference pages from the code and the rules at build time.

The patient-record reference and one page per cause are produced by
``crampdx.docgen`` during every build, so ``mkdocs build --strict`` on a fresh
clone documents exactly the rules in ``rules/``. Nothing generated is committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from crampdx.docgen import generated_pages, nav_entries
from crampdx.kb.load import KnowledgeBase, load_knowledge_base

_PLACEHOLDER = "knowledge-base/index.md"
_cache: dict[str, KnowledgeBase] = {}


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def _knowledge_base(config: MkDocsConfig) -> KnowledgeBase:
    # The rules of this checkout, not of whichever crampdx happens to be installed.
    if "kb" not in _cache:
        _cache["kb"] = load_knowledge_base(_root(config) / "rules", include_default=False)
    return _cache["kb"]


def _expand(entries: list[Any], kb: KnowledgeBase) -> list[Any]:
    expanded: list[Any] = []
    for entry in entries:
        if isinstance(entry, dict):
            ((title, target),) = entry.items()
            if target == _PLACEHOLDER:
                entry = {title: nav_entries(kb)}
            elif isinstance(target, list):
                entry = {title: _expand(target, kb)}
        expanded.append(entry)
    return expanded


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Replace the knowledge-base placeholder in the nav with one entry per cause."""
    _cache.clear()  # a rebuild (mkdocs serve) must see edited rules
    if config.nav:
        config.nav = _expand(config.nav, _knowledge_base(config))
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated pages to the build."""
    for path, text in generated_pages(_knowledge_base(config), _root(config)).items():
        files.append(File.generated(config, path, content=text))
    return files
