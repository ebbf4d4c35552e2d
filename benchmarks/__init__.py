"""Benchmarks of the rule engines (not unit tests): ``soak`` and ``latency``.

Shared here: loading the shipped knowledge base from a frozen copy, and seeded
random patients built from the fact vocabulary.
"""

from __future__ import annotations

import hashlib
import math
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from crampdx.engine import CompiledKnowledgeBase
from crampdx.facts import FactSpec, FactValue
from crampdx.kb.lint import vocabulary_for
from crampdx.kb.load import default_rules_dir, load_knowledge_base

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


@dataclass(frozen=True)
class FactSpace:
    """The facts a knowledge base reads and the values worth generating for each.

    Attributes:
        names: fact names some rule reads, sorted.
        specs: the vocabulary entry (kind, allowed values) of each name.
        near: per numeric fact, every threshold a rule compares it with and the
            floats on either side of it, so boundaries are hit and just missed.
    """

    names: tuple[str, ...]
    specs: dict[str, FactSpec]
    near: dict[str, tuple[float, ...]]

    @classmethod
    def of(cls, compiled: CompiledKnowledgeBase) -> FactSpace:
        vocabulary = vocabulary_for(compiled.kb)
        near: dict[str, set[float]] = {}
        for rule in compiled.rules:
            for alternative in rule.alternatives:
                for test in alternative:
                    if isinstance(test.value, float):
                        values = near.setdefault(test.finding, set())
                        values.add(test.value)
                        values.add(math.nextafter(test.value, -math.inf))
                        values.add(math.nextafter(test.value, math.inf))
        names = tuple(sorted(compiled.findings))
        return cls(
            names=names,
            specs={name: vocabulary[name] for name in names if name in vocabulary},
            near={name: tuple(sorted(values)) for name, values in near.items()},
        )

    def value(self, rng: random.Random, name: str) -> FactValue:
        """A plausible value of ``name``: one of its kind's values, or near a threshold."""
        spec = self.specs.get(name)
        if spec is not None and spec.kind == "category":
            return rng.choice(spec.values)
        if spec is not None and spec.kind == "number":
            near = self.near.get(name, (1.0,))
            if rng.random() < 0.6:
                return rng.choice(near)
            return round(rng.uniform(0.0, 2.0 * max(abs(v) for v in near) + 1.0), 2)
        # States, and derived findings given as input: mostly present, as in a
        # symptomatic patient, so rules fire and derived findings chain.
        return "present" if rng.random() < 0.6 else "absent"


def random_patient(rng: random.Random, space: FactSpace, size: int) -> dict[str, FactValue]:
    """``size`` facts (at most every name the knowledge base reads) with plausible values."""
    names = rng.sample(space.names, min(size, len(space.names)))
    return {name: space.value(rng, name) for name in names}
