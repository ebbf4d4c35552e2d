"""Small closed vocabularies shared by the patient record."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["BodyRegion", "Observation", "ReflexGrade", "Side", "State"]


class State(StrEnum):
    """Whether a finding was looked for and found.

    ``unknown`` (the default everywhere) means *not recorded*; it is never the
    same as ``absent`` and never counts against a cause.
    """

    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


class BodyRegion(StrEnum):
    """Where a sign is found. ``proximal``/``distal`` qualify limb findings."""

    FACE = "face"
    PERIORAL = "perioral"
    JAW = "jaw"
    TONGUE = "tongue"
    BULBAR = "bulbar"
    NECK = "neck"
    TRUNK = "trunk"
    BACK = "back"
    ABDOMEN = "abdomen"
    UPPER_LIMB = "upper_limb"
    HAND = "hand"
    FOREARM = "forearm"
    LOWER_LIMB = "lower_limb"
    THIGH = "thigh"
    HAMSTRING = "hamstring"
    CALF = "calf"
    FOOT = "foot"
    PROXIMAL = "proximal"
    DISTAL = "distal"
    GENERALISED = "generalised"


class ReflexGrade(StrEnum):
    ABSENT = "absent"
    REDUCED = "reduced"
    NORMAL = "normal"
    BRISK = "brisk"
    DELAYED_RELAXATION = "delayed_relaxation"
    UNKNOWN = "unknown"


class Observation(BaseModel):
    """A symptom or sign: present / absent / unknown, with where and which side.

    In a record file a bare state is accepted as shorthand:
    ``fasciculations: present`` means ``{status: present}``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: State = State.UNKNOWN
    regions: tuple[BodyRegion, ...] = Field(
        default=(), description="Where it is found (only meaningful when present)."
    )
    side: Side | None = Field(default=None, description="Which side (when present).")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"status": data}
        return data

    @model_validator(mode="after")
    def _qualifiers_need_presence(self) -> Self:
        if self.status is not State.PRESENT and (self.regions or self.side is not None):
            raise ValueError("regions and side can only qualify a finding that is present")
        return self
