"""The knowledge-base schema: the only definition of what a rule file may contain.

Every file under ``rules/`` is one :class:`RuleFile`. A cause file has a
``cause`` header and its ``rules``; shared files carry references, the workup
catalogue, red-flag definitions, phenomena (the cramp-vs-mimic gate) and
derived findings. ``rules/schema.json`` is exported from these models for
editors (``crampdx schema --rules``) and a test keeps it fresh.

Conditions are data, evaluated with three-valued (Kleene) logic: a leaf on a
finding that was not recorded is *unknown*, ``not unknown`` is still unknown,
and a rule fires only when its condition is *true*. So an unrecorded finding
can never make a rule fire, through negation or otherwise.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    model_validator,
)

__all__ = [
    "AllOf",
    "AnyOf",
    "Cause",
    "CauseCategory",
    "Citation",
    "Codes",
    "Condition",
    "Derive",
    "DerivedDef",
    "Effect",
    "EvidenceGrade",
    "Leaf",
    "Not",
    "Note",
    "Op",
    "Opposes",
    "Order",
    "Phenomenon",
    "PhenomenonDef",
    "RedFlag",
    "RedFlagDef",
    "Reference",
    "Rule",
    "RuleFile",
    "RuleStatus",
    "RuleTests",
    "Supports",
    "SuppressTests",
    "TestDef",
    "Urgency",
]

# Scalars use Strict* types so YAML surprises fail loudly (``no`` read as False, ``1.0e3``
# read as a string); lists and enum strings from YAML are still accepted.
_STRICT = ConfigDict(frozen=True, extra="forbid")

_ID = r"^[a-z0-9][a-z0-9_]*$"
_RULE_ID = r"^[a-z0-9][a-z0-9_]*(\.[a-z0-9][a-z0-9_-]*)+$"


class Urgency(IntEnum):
    """How soon a clinician should act (clinical reference §0). Higher is sooner."""

    ROUTINE = 0
    SOON = 1
    URGENT = 2
    EMERG = 3


UrgencyName = Literal["EMERG", "URGENT", "SOON", "ROUTINE"]


class EvidenceGrade(StrEnum):
    """One evidence scale for every rule (defined in docs/writing-rules.md).

    A: guideline, consensus diagnostic criteria, systematic review or meta-analysis.
    B: cohort, case-control, cross-sectional or sequence-symmetry studies.
    C: case series, case reports, narrative reviews, textbooks and lab references.
    D: expert opinion, or a fact not verified in a primary source ([K] in the reference).
    """

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class RuleStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


Op = Literal["present", "absent", "eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"]
LeafValue = StrictFloat | StrictStr | tuple[StrictStr, ...] | None


class Leaf(BaseModel):
    """One test on one fact: ``{finding: lab.potassium, op: lt, value: 3.5}``."""

    model_config = _STRICT

    finding: StrictStr = Field(
        description="A fact name from the vocabulary (docs: patient-record)."
    )
    op: Op
    value: LeafValue = None

    @model_validator(mode="after")
    def _value_matches_op(self) -> Self:
        if self.op in ("present", "absent"):
            if self.value is not None:
                raise ValueError(f"op '{self.op}' takes no value")
        elif self.op in ("in", "not_in"):
            if not isinstance(self.value, tuple) or not self.value:
                raise ValueError(f"op '{self.op}' needs a non-empty list of values")
        elif self.op in ("lt", "le", "gt", "ge"):
            if not isinstance(self.value, float):
                raise ValueError(f"op '{self.op}' needs a number")
        elif self.value is None or isinstance(self.value, tuple):
            raise ValueError(f"op '{self.op}' needs a single value")
        return self


class AllOf(BaseModel):
    model_config = _STRICT
    all: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(BaseModel):
    model_config = _STRICT
    any: tuple[Condition, ...] = Field(min_length=1)


class Not(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    negated: Condition = Field(alias="not")


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("all", "any", "not", "finding"):
            if key in value:
                return key
        return None
    tags: dict[type, str] = {AllOf: "all", AnyOf: "any", Not: "not", Leaf: "finding"}
    return tags.get(type(value))


Condition = Annotated[
    Annotated[Leaf, Tag("finding")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message=(
            "a condition is {finding, op, value}, {all: [...]}, {any: [...]} or {not: ...}"
        ),
    ),
]


class Supports(BaseModel):
    """Evidence for a cause: add ``weight`` (log-odds) to its score."""

    model_config = _STRICT
    supports: StrictStr
    weight: StrictFloat = Field(gt=0, le=10)
    defining: StrictBool = Field(
        default=False, description="True when the condition meets the cause's defining criteria."
    )


class Opposes(BaseModel):
    """Evidence against a cause: subtract ``weight`` (log-odds) from its score."""

    model_config = _STRICT
    opposes: StrictStr
    weight: StrictFloat = Field(gt=0, le=10)


class Derive(BaseModel):
    """Derive a finding (``derived.<name>``) that other rules can use."""

    model_config = _STRICT
    derive: StrictStr = Field(pattern=r"^derived\.[a-z0-9_]+$")


class RedFlag(BaseModel):
    """Raise a red flag defined in a ``red_flags`` section."""

    model_config = _STRICT
    red_flag: StrictStr


class Order(BaseModel):
    """Propose a workup test from the catalogue."""

    model_config = _STRICT
    order: StrictStr
    reason: StrictStr = Field(min_length=1)
    urgency: UrgencyName = "ROUTINE"


class Note(BaseModel):
    """A non-prescriptive management hint with its level of evidence."""

    model_config = _STRICT
    note: StrictStr = Field(min_length=1)
    level: StrictStr = Field(min_length=1, description="e.g. 'AAN Level A', 'FDA boxed warning'.")


class Phenomenon(BaseModel):
    """Evidence that the episodes are a given phenomenon (true cramp or a mimic)."""

    model_config = _STRICT
    phenomenon: StrictStr
    weight: StrictFloat = Field(gt=0, le=10)


class SuppressTests(BaseModel):
    """The published logic says no tests are needed (typical idiopathic nocturnal cramps)."""

    model_config = _STRICT
    no_tests: StrictStr = Field(min_length=1, description="Why no tests are needed.")


_EFFECT_KEYS = (
    "supports",
    "opposes",
    "derive",
    "red_flag",
    "order",
    "note",
    "phenomenon",
    "no_tests",
)


def _effect_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        return next((key for key in _EFFECT_KEYS if key in value), None)
    for key in _EFFECT_KEYS:
        if hasattr(value, key):
            return key
    return None


Effect = Annotated[
    Annotated[Supports, Tag("supports")]
    | Annotated[Opposes, Tag("opposes")]
    | Annotated[Derive, Tag("derive")]
    | Annotated[RedFlag, Tag("red_flag")]
    | Annotated[Order, Tag("order")]
    | Annotated[Note, Tag("note")]
    | Annotated[Phenomenon, Tag("phenomenon")]
    | Annotated[SuppressTests, Tag("no_tests")],
    Discriminator(
        _effect_tag,
        custom_error_type="effect",
        custom_error_message=(
            "an effect is one of: supports, opposes, derive, red_flag, order, note, "
            "phenomenon, no_tests"
        ),
    ),
]


class Citation(BaseModel):
    """A citation key into ``_references.yaml`` with an optional locator (section, table)."""

    model_config = _STRICT
    key: StrictStr
    locator: StrictStr | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"key": data} if isinstance(data, str) else data


class RuleTests(BaseModel):
    """Inline test cases: partial patient records on which the rule must / must not fire."""

    model_config = _STRICT
    fires: tuple[dict[str, Any], ...] = Field(default=(), description="Patients it fires on.")
    does_not_fire: tuple[dict[str, Any], ...] = Field(
        default=(), description="Patients it must not fire on."
    )


class Rule(BaseModel):
    """One rule: when a condition holds, apply one effect."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: StrictStr = Field(
        pattern=_RULE_ID, description="'<cause or namespace>.<slug>', never reused."
    )
    version: StrictInt = Field(ge=1, description="Bump on any change of logic.")
    status: RuleStatus = RuleStatus.ACTIVE
    title: StrictStr | None = Field(default=None, description="One line a clinician can read.")
    when: Condition
    then: Effect
    evidence: EvidenceGrade
    citations: tuple[Citation, ...] = Field(min_length=1)
    rationale: StrictStr | None = None
    tests: RuleTests = Field(default_factory=RuleTests)


class CauseCategory(StrEnum):
    MOTOR_NEURON = "motor_neuron"
    PERIPHERAL_NERVE = "peripheral_nerve"
    CENTRAL = "central"
    MUSCLE = "muscle"
    ELECTROLYTE = "electrolyte"
    ENDOCRINE = "endocrine"
    DRUG = "drug"
    TOXIN = "toxin"
    SYSTEMIC = "systemic"
    VASCULAR = "vascular"
    BENIGN = "benign"


class Codes(BaseModel):
    model_config = _STRICT
    snomed_ct: tuple[StrictStr, ...] = ()
    icd10_cm: tuple[StrictStr, ...] = ()
    loinc: tuple[StrictStr, ...] = ()
    cpt: tuple[StrictStr, ...] = ()
    omim: tuple[StrictStr, ...] = ()


class Cause(BaseModel):
    """A cause of cramps (or a condition that mimics them)."""

    model_config = _STRICT

    id: StrictStr = Field(pattern=_ID)
    name: StrictStr
    category: StrictStr = Field(description="One of the CauseCategory values.")
    codes: Codes = Field(default_factory=Codes)
    version: StrictInt = Field(ge=1)
    status: Literal["draft", "active", "retired"] = "active"
    prior: StrictFloat = Field(
        ge=-10, le=0, description="Baseline log-odds among patients presenting with cramps."
    )
    urgency: UrgencyName = Field(description="How soon to act when this cause leads.")
    mimic: StrictBool = Field(
        default=False, description="A mimic of cramp, not a cause of true cramp."
    )
    rationale: StrictStr = Field(min_length=1)
    citations: tuple[Citation, ...] = Field(min_length=1)
    confirm_with: tuple[StrictStr, ...] = Field(
        default=(), description="Workup catalogue ids that confirm or exclude this cause."
    )
    mechanisms: tuple[StrictStr, ...] = Field(
        default=(), description="Causes this one acts through (e.g. a thiazide → hypokalaemia)."
    )

    @model_validator(mode="after")
    def _known_category(self) -> Self:
        if self.category not in {c.value for c in CauseCategory}:
            allowed = ", ".join(c.value for c in CauseCategory)
            raise ValueError(f"unknown category '{self.category}'; use one of: {allowed}")
        return self


class Reference(BaseModel):
    model_config = _STRICT
    key: StrictStr
    citation: StrictStr = Field(min_length=1)
    url: StrictStr | None = None
    pmid: StrictStr | None = None
    doi: StrictStr | None = None


class TestDef(BaseModel):
    """One entry of the workup catalogue."""

    model_config = _STRICT

    id: StrictStr = Field(pattern=_ID)
    name: StrictStr
    tier: StrictInt = Field(
        ge=0,
        le=6,
        description=(
            "0 clinical/bedside, 1 first-line bloods/urine/ECG/ABI, 2 neurophysiology, "
            "3 antibodies, 4 genetics, 5 imaging, 6 tissue (clinical reference §4)."
        ),
    )
    category: Literal[
        "clinical",
        "blood",
        "urine",
        "cardiac",
        "vascular",
        "neurophysiology",
        "antibody",
        "genetic",
        "imaging",
        "tissue",
        "other",
    ]
    cost: StrictInt = Field(ge=1, le=4, description="1 cheapest … 4 most expensive.")
    invasiveness: Literal["none", "minimal", "moderate", "invasive"]
    codes: Codes = Field(default_factory=Codes)
    analytes: tuple[StrictStr, ...] = Field(
        default=(), description="Lab analytes this test measures (a recorded value counts as done)."
    )
    prerequisites: tuple[StrictStr, ...] = Field(
        default=(), description="Tests that should come first (e.g. NCS before PMP22)."
    )
    valid_days: StrictInt | None = Field(
        default=None, ge=1, description="A result older than this is repeated; None: never."
    )
    citations: tuple[Citation, ...] = Field(default=())


class RedFlagDef(BaseModel):
    model_config = _STRICT
    id: StrictStr = Field(pattern=_ID)
    name: StrictStr
    urgency: UrgencyName
    action: StrictStr = Field(min_length=1)
    citations: tuple[Citation, ...] = Field(min_length=1)


class PhenomenonDef(BaseModel):
    model_config = _STRICT
    id: StrictStr = Field(pattern=_ID)
    name: StrictStr
    true_cramp: StrictBool = False
    description: StrictStr
    citations: tuple[Citation, ...] = Field(min_length=1)


class DerivedDef(BaseModel):
    model_config = _STRICT
    id: StrictStr = Field(pattern=r"^derived\.[a-z0-9_]+$")
    description: StrictStr
    question: StrictStr | None = None


class RuleFile(BaseModel):
    """The content of one YAML file under ``rules/``."""

    model_config = _STRICT

    cause: Cause | None = None
    references: tuple[Reference, ...] = ()
    catalogue: tuple[TestDef, ...] = ()
    red_flags: tuple[RedFlagDef, ...] = ()
    phenomena: tuple[PhenomenonDef, ...] = ()
    derived: tuple[DerivedDef, ...] = ()
    rules: tuple[Rule, ...] = ()


AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()
Rule.model_rebuild()
