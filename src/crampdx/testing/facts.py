"""Random fact dictionaries over what a knowledge base reads, for engine tests and benchmarks.

Engines see flat facts, not patient records, so the engine tests and the soak and
latency benchmarks generate facts directly: every name some rule reads, with values
of the right kind, and numbers at each rule threshold and one ulp either side of it
so that every boundary is hit exactly and just missed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from crampdx.engine.base import CompiledKnowledgeBase
from crampdx.facts import FactSpec, FactValue

__all__ = ["FactSpace", "random_facts"]


@dataclass(frozen=True)
class FactSpace:
    """The facts a knowledge base reads and the values worth generating for each.

    Attributes:
        names: fact names some rule reads, sorted.
        specs: the vocabulary entry (kind, allowed values) of each name.
        thresholds: per numeric fact, every number a rule compares it with and the
            floats on either side of it.
    """

    names: tuple[str, ...]
    specs: dict[str, FactSpec]
    thresholds: dict[str, tuple[float, ...]]

    @classmethod
    def of(cls, compiled: CompiledKnowledgeBase) -> FactSpace:
        numbers: dict[str, set[float]] = {}
        for rule in compiled.rules:
            for alternative in rule.alternatives:
                for test in alternative:
                    if isinstance(test.value, float):
                        numbers.setdefault(test.finding, set()).update(
                            (
                                test.value,
                                math.nextafter(test.value, -math.inf),
                                math.nextafter(test.value, math.inf),
                            )
                        )
        names = tuple(sorted(compiled.findings))
        vocabulary = compiled.vocabulary
        return cls(
            names=names,
            specs={name: vocabulary[name] for name in names if name in vocabulary},
            thresholds={name: tuple(sorted(values)) for name, values in numbers.items()},
        )

    def value(self, rng: random.Random, name: str) -> FactValue:
        """A plausible value of ``name``: one of its kind's values, or near a threshold."""
        spec = self.specs.get(name)
        if spec is not None and spec.kind == "category":
            return rng.choice(spec.values)
        if spec is not None and spec.kind == "number":
            near = self.thresholds.get(name, (1.0,))
            if rng.random() < 0.6:
                return rng.choice(near)
            return round(rng.uniform(0.0, 2.0 * max(abs(v) for v in near) + 1.0), 2)
        # States, and derived findings given as input: mostly present, as in a
        # symptomatic patient, so rules fire and derived findings chain.
        return "present" if rng.random() < 0.6 else "absent"


def random_facts(rng: random.Random, space: FactSpace, size: int) -> dict[str, FactValue]:
    """``size`` facts (at most every name the knowledge base reads) with plausible values."""
    names = rng.sample(space.names, min(size, len(space.names)))
    return {name: space.value(rng, name) for name in names}
