"""Benchmarks of the rule engines (not unit tests): ``soak`` and ``latency``.

Shared here: loading the shipped knowledge base from a frozen copy, and seeded
random patients built from the fact vocabulary.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from crampdx.engine import CompiledKnowledgeBase
from crampdx.kb.load import default_rules_dir, load_knowledge_base
from crampdx.testing.facts import FactSpace
from crampdx.testing.facts import random_facts as random_patient

__all__ = [
    "FactSpace",
    "freeze_rules",
    "load_compiled",
    "random_patient",
    "rules_digest",
]


def freeze_rules(source: Path | None = None) -> Path:
    """Copy the rules folder to a temporary one, so a long run sees one knowledge base."""
    folder = Path(tempfile.mkdtemp(prefix="crampdx-rules-"))
    shutil.copytree(source or default_rules_dir(), folder, dirs_exist_ok=True)
    return folder


def rules_digest(folder: Path) -> str:
    """A short digest of every rule file, to say which knowledge base was measured."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.yaml")):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load_compiled(folder: Path | None = None) -> CompiledKnowledgeBase:
    """The knowledge base in ``folder`` (default: the shipped one), loaded and compiled."""
    kb = load_knowledge_base(folder) if folder is not None else load_knowledge_base()
    return CompiledKnowledgeBase(kb)
