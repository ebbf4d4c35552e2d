"""Lab analytes, their units and their conversion to one canonical SI unit.

Conversions happen once, at the boundary: :class:`LabResult` validates its unit
and value when it is built and exposes ``canonical_value`` in the analyte's
canonical unit. Rules only ever see canonical values.

Factors come from molar masses (clinical reference §6a: Ca 40.08, Mg 24.305,
glucose 180.16, creatinine 113.12, phosphorus 30.97 g/mol) and standard
clinical chemistry conversion tables; each is checked against a textbook value
in ``tests/record/test_record_units.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictFloat, model_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "ANALYTES",
    "Analyte",
    "AnalyteSpec",
    "LabResult",
    "ReferenceRange",
    "UnitConversion",
    "normalise_unit",
]


class Analyte(StrEnum):
    """Lab analytes crampdx understands (serum or plasma unless the name says otherwise)."""

    POTASSIUM = "potassium"
    SODIUM = "sodium"
    CHLORIDE = "chloride"
    BICARBONATE = "bicarbonate"
    UREA = "urea"
    UREA_NITROGEN = "urea_nitrogen"
    CREATININE = "creatinine"
    EGFR = "egfr"
    CALCIUM_TOTAL = "calcium_total"
    CALCIUM_IONIZED = "calcium_ionized"
    CALCIUM_ADJUSTED = "calcium_adjusted"
    ALBUMIN = "albumin"
    MAGNESIUM = "magnesium"
    PHOSPHATE = "phosphate"
    GLUCOSE = "glucose"
    HBA1C = "hba1c"
    CK = "ck"
    TSH = "tsh"
    FREE_T4 = "free_t4"
    VITAMIN_B12 = "vitamin_b12"
    METHYLMALONIC_ACID = "methylmalonic_acid"
    FOLATE = "folate"
    VITAMIN_D_25OH = "vitamin_d_25oh"
    PTH = "pth"
    CORTISOL = "cortisol"
    ALT = "alt"
    AST = "ast"
    BILIRUBIN = "bilirubin"
    LACTATE = "lactate"
    AMMONIA = "ammonia"
    HAEMOGLOBIN = "haemoglobin"
    MCV = "mcv"
    PLATELETS = "platelets"
    CRP = "crp"
    URINE_POTASSIUM = "urine_potassium"


@dataclass(frozen=True, slots=True)
class UnitConversion:
    """``canonical = value * factor + offset`` for one accepted unit spelling."""

    factor: float = 1.0
    offset: float = 0.0

    def to_canonical(self, value: float) -> float:
        return value * self.factor + self.offset

    def from_canonical(self, value: float) -> float:
        return (value - self.offset) / self.factor


@dataclass(frozen=True, slots=True)
class AnalyteSpec:
    """What crampdx knows about one analyte.

    Attributes:
        name: display name.
        canonical_unit: the single SI unit rules use.
        units: accepted unit spellings (normalised, see :func:`normalise_unit`) → conversion.
        plausible: inclusive physiological limits in the canonical unit; values outside
            are rejected as implausible (typing errors, wrong units), not interpreted.
        loinc: LOINC codes that report this analyte (serum, plasma and blood variants).
        mass_only: the analyte is reported by mass or activity; a molar unit is an error.
    """

    name: str
    canonical_unit: str
    units: dict[str, UnitConversion]
    plausible: tuple[float, float]
    loinc: tuple[str, ...] = ()
    mass_only: bool = False
    notes: str = field(default="")


def _same(*spellings: str) -> dict[str, UnitConversion]:
    return {spelling: UnitConversion() for spelling in spellings}


def _factor(factor: float, *spellings: str) -> dict[str, UnitConversion]:
    return {spelling: UnitConversion(factor=factor) for spelling in spellings}


_MMOL = ("mmol/l",)
_MEQ = ("meq/l",)
_U_L = ("u/l", "iu/l", "[iu]/l")

# Molar masses (g/mol) used for mass → molar factors: mg/dL → mmol/L is 10 / M.
_CALCIUM_G_MOL = 40.08
_MAGNESIUM_G_MOL = 24.305
_PHOSPHORUS_G_MOL = 30.97
_GLUCOSE_G_MOL = 180.16
_CREATININE_G_MOL = 113.12

ANALYTES: dict[Analyte, AnalyteSpec] = {
    Analyte.POTASSIUM: AnalyteSpec(
        "Potassium",
        "mmol/L",
        {**_same(*_MMOL), **_same(*_MEQ)},
        (1.0, 10.0),
        loinc=("2823-3", "6298-4"),
    ),
    Analyte.SODIUM: AnalyteSpec(
        "Sodium",
        "mmol/L",
        {**_same(*_MMOL), **_same(*_MEQ)},
        (90.0, 200.0),
        loinc=("2951-2", "2947-0"),
    ),
    Analyte.CHLORIDE: AnalyteSpec(
        "Chloride",
        "mmol/L",
        {**_same(*_MMOL), **_same(*_MEQ)},
        (50.0, 160.0),
        loinc=("2075-0", "2069-3"),
    ),
    Analyte.BICARBONATE: AnalyteSpec(
        "Bicarbonate (total CO2)",
        "mmol/L",
        {**_same(*_MMOL), **_same(*_MEQ)},
        (2.0, 60.0),
        loinc=("2028-9", "1963-8"),
    ),
    Analyte.UREA: AnalyteSpec(
        "Urea",
        "mmol/L",
        _same(*_MMOL),
        (0.5, 100.0),
        loinc=("22664-7", "3091-6"),
    ),
    Analyte.UREA_NITROGEN: AnalyteSpec(
        # BUN is reported as nitrogen: mg/dL x 0.357 = urea mmol/L (clinical reference §6a).
        "Urea nitrogen (BUN)",
        "mmol/L",
        {**_same(*_MMOL), **_factor(0.357, "mg/dl")},
        (0.5, 100.0),
        loinc=("3094-0", "6299-2"),
    ),
    Analyte.CREATININE: AnalyteSpec(
        "Creatinine",
        "umol/L",
        {**_same("umol/l"), **_factor(10_000.0 / _CREATININE_G_MOL, "mg/dl")},
        (5.0, 3000.0),
        loinc=("2160-0", "14682-9", "38483-4"),
    ),
    Analyte.EGFR: AnalyteSpec(
        "eGFR",
        "mL/min/1.73m2",
        _same("ml/min/1.73m2", "ml/min/{1.73_m2}", "ml/min/1.73_m2", "ml/min"),
        (0.0, 250.0),
        loinc=("98979-8", "62238-1", "33914-3", "48642-3", "48643-1", "88293-6"),
    ),
    Analyte.CALCIUM_TOTAL: AnalyteSpec(
        "Calcium (total)",
        "mmol/L",
        {**_same(*_MMOL), **_factor(10.0 / _CALCIUM_G_MOL, "mg/dl"), **_factor(0.5, *_MEQ)},
        (0.5, 5.0),
        loinc=("17861-6", "2000-8", "49765-1"),
    ),
    Analyte.CALCIUM_IONIZED: AnalyteSpec(
        "Calcium (ionized)",
        "mmol/L",
        {**_same(*_MMOL), **_factor(10.0 / _CALCIUM_G_MOL, "mg/dl"), **_factor(0.5, *_MEQ)},
        (0.2, 3.0),
        loinc=("1995-0", "1994-3", "17864-0", "57333-7"),
    ),
    Analyte.CALCIUM_ADJUSTED: AnalyteSpec(
        # Albumin-adjusted calcium as reported by the lab; crampdx computes it otherwise.
        "Calcium (albumin-adjusted, as reported)",
        "mmol/L",
        {**_same(*_MMOL), **_factor(10.0 / _CALCIUM_G_MOL, "mg/dl"), **_factor(0.5, *_MEQ)},
        (0.5, 5.0),
        loinc=("29265-6",),
    ),
    Analyte.ALBUMIN: AnalyteSpec(
        "Albumin",
        "g/L",
        {**_same("g/l"), **_factor(10.0, "g/dl")},
        (5.0, 70.0),
        loinc=("1751-7", "61151-7"),
        mass_only=True,
    ),
    Analyte.MAGNESIUM: AnalyteSpec(
        "Magnesium",
        "mmol/L",
        {**_same(*_MMOL), **_factor(10.0 / _MAGNESIUM_G_MOL, "mg/dl"), **_factor(0.5, *_MEQ)},
        (0.1, 5.0),
        loinc=("19123-9", "2601-3"),
    ),
    Analyte.PHOSPHATE: AnalyteSpec(
        "Phosphate (as phosphorus)",
        "mmol/L",
        {**_same(*_MMOL), **_factor(10.0 / _PHOSPHORUS_G_MOL, "mg/dl")},
        (0.1, 6.0),
        loinc=("2777-1", "14879-1"),
    ),
    Analyte.GLUCOSE: AnalyteSpec(
        "Glucose",
        "mmol/L",
        {**_same(*_MMOL), **_factor(10.0 / _GLUCOSE_G_MOL, "mg/dl")},
        (0.5, 100.0),
        loinc=("2345-7", "14749-6", "2339-0", "15074-8"),
    ),
    Analyte.HBA1C: AnalyteSpec(
        # IFCC mmol/mol = (NGSP % - 2.15) x 10.929 (ADA: 6.5 % = 48 mmol/mol).
        "HbA1c",
        "mmol/mol",
        {"mmol/mol": UnitConversion(), "%": UnitConversion(factor=10.929, offset=-2.15 * 10.929)},
        (5.0, 200.0),
        loinc=("4548-4", "59261-8", "17856-6"),
    ),
    Analyte.CK: AnalyteSpec(
        "Creatine kinase",
        "U/L",
        # 1 U = 1 umol/min and 1 kat = 1 mol/s, so 1 ukat/L = 60 U/L exactly (0.0167 is 1/60
        # rounded, which would put every converted value 0.2 % low).
        {**_same(*_U_L), **_factor(60.0, "ukat/l")},
        (0.0, 1_000_000.0),
        loinc=("2157-6",),
        mass_only=True,
    ),
    Analyte.TSH: AnalyteSpec(
        "TSH",
        "mIU/L",
        _same("miu/l", "uiu/ml", "m[iu]/l", "u[iu]/ml", "mu/l"),
        (0.0, 1000.0),
        loinc=("3016-3", "11580-8", "11579-0"),
        mass_only=True,
    ),
    Analyte.FREE_T4: AnalyteSpec(
        "Free T4",
        "pmol/L",
        {**_same("pmol/l"), **_factor(12.87, "ng/dl")},
        (0.5, 200.0),
        loinc=("3024-7", "14920-3"),
    ),
    Analyte.VITAMIN_B12: AnalyteSpec(
        # 200 ng/L = 148 pmol/L (BSH 2014), i.e. x 0.738.
        "Vitamin B12",
        "pmol/L",
        {**_same("pmol/l"), **_factor(0.738, "ng/l", "pg/ml")},
        (10.0, 20000.0),
        loinc=("2132-9", "14685-2"),
    ),
    Analyte.METHYLMALONIC_ACID: AnalyteSpec(
        "Methylmalonic acid",
        "nmol/L",
        {**_same("nmol/l"), **_factor(1000.0, "umol/l")},
        (10.0, 500000.0),
        loinc=("13964-2",),
    ),
    Analyte.FOLATE: AnalyteSpec(
        "Folate",
        "nmol/L",
        {**_same("nmol/l"), **_factor(2.266, "ng/ml", "ug/l")},
        (0.5, 200.0),
        loinc=("2284-8", "14732-2"),
    ),
    Analyte.VITAMIN_D_25OH: AnalyteSpec(
        "25-hydroxyvitamin D",
        "nmol/L",
        {**_same("nmol/l"), **_factor(2.496, "ng/ml", "ug/l")},
        (2.0, 1000.0),
        loinc=("62292-8", "1989-3", "14635-7"),
    ),
    Analyte.PTH: AnalyteSpec(
        "Parathyroid hormone",
        "pmol/L",
        {**_same("pmol/l"), **_factor(0.106, "pg/ml", "ng/l")},
        (0.1, 500.0),
        loinc=("2731-8", "14866-8"),
    ),
    Analyte.CORTISOL: AnalyteSpec(
        "Cortisol",
        "nmol/L",
        {**_same("nmol/l"), **_factor(27.59, "ug/dl")},
        (1.0, 5000.0),
        loinc=("2143-6", "14675-3"),
    ),
    Analyte.ALT: AnalyteSpec(
        "ALT",
        "U/L",
        _same(*_U_L),
        (0.0, 50000.0),
        loinc=("1742-6",),
        mass_only=True,
    ),
    Analyte.AST: AnalyteSpec(
        "AST",
        "U/L",
        _same(*_U_L),
        (0.0, 50000.0),
        loinc=("1920-8",),
        mass_only=True,
    ),
    Analyte.BILIRUBIN: AnalyteSpec(
        "Bilirubin (total)",
        "umol/L",
        {**_same("umol/l"), **_factor(17.1, "mg/dl")},
        (0.0, 1500.0),
        loinc=("1975-2", "14631-6"),
    ),
    Analyte.LACTATE: AnalyteSpec(
        "Lactate",
        "mmol/L",
        {**_same(*_MMOL), **_factor(0.111, "mg/dl")},
        (0.1, 40.0),
        loinc=("2524-7", "32693-4"),
    ),
    Analyte.AMMONIA: AnalyteSpec(
        "Ammonia",
        "umol/L",
        {**_same("umol/l"), **_factor(0.587, "ug/dl")},
        (1.0, 2000.0),
        loinc=("16362-6", "22763-7"),
    ),
    Analyte.HAEMOGLOBIN: AnalyteSpec(
        "Haemoglobin",
        "g/L",
        {**_same("g/l"), **_factor(10.0, "g/dl")},
        (20.0, 260.0),
        loinc=("718-7",),
        mass_only=True,
    ),
    Analyte.MCV: AnalyteSpec(
        "Mean corpuscular volume",
        "fL",
        _same("fl", "um3"),
        (40.0, 160.0),
        loinc=("787-2",),
        mass_only=True,
    ),
    Analyte.PLATELETS: AnalyteSpec(
        "Platelets",
        "10^9/L",
        _same("10^9/l", "10*9/l", "x10^9/l", "k/ul", "10*3/ul", "10^3/ul"),
        (0.0, 3000.0),
        loinc=("777-3", "26515-7"),
        mass_only=True,
    ),
    Analyte.CRP: AnalyteSpec(
        "C-reactive protein",
        "mg/L",
        {**_same("mg/l"), **_factor(10.0, "mg/dl")},
        (0.0, 1000.0),
        loinc=("1988-5",),
        mass_only=True,
    ),
    Analyte.URINE_POTASSIUM: AnalyteSpec(
        "Urine potassium (spot)",
        "mmol/L",
        {**_same(*_MMOL), **_same(*_MEQ)},
        (0.0, 300.0),
        loinc=("2828-2",),
    ),
}

UNIT_ERROR = "crampdx_unit"
IMPLAUSIBLE_ERROR = "crampdx_implausible"

_MOLAR_UNIT = re.compile(r"^(m|u|n|p)?(mol|eq)/")


def normalise_unit(unit: str) -> str:
    """Fold the spellings of one unit together: case, micro signs, spaces, UCUM braces."""
    folded = unit.strip().replace("µ", "u").replace("μ", "u").replace(" ", "").lower()
    return folded.replace("mcg", "ug")


class ReferenceRange(BaseModel):
    """The reporting lab's own reference interval, in the same unit as the value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    low: StrictFloat | None = None
    high: StrictFloat | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        return self


class LabResult(BaseModel):
    """One lab value as reported, checked and converted to its canonical unit on creation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    analyte: Analyte = Field(description="Which analyte was measured.")
    value: StrictFloat = Field(description="The value as reported by the lab.")
    unit: str = Field(description="The unit as reported, e.g. 'mg/dL', 'mmol/L', 'U/L'.")
    reference_range: ReferenceRange | None = Field(
        default=None, description="The lab's own reference interval, in the same unit."
    )
    collected: dt.date | None = Field(
        default=None, description="Date the sample was collected (ISO 8601)."
    )

    _canonical: float = PrivateAttr(default=0.0)

    @model_validator(mode="after")
    def _convert(self) -> Self:
        spec = ANALYTES[self.analyte]
        conversion = spec.units.get(normalise_unit(self.unit))
        if conversion is None:
            accepted = ", ".join(sorted(spec.units))
            if spec.mass_only and _MOLAR_UNIT.match(normalise_unit(self.unit)):
                raise PydanticCustomError(
                    UNIT_ERROR,
                    "unit '{unit}' is a molar unit, but {name} is reported by mass or activity; "
                    "accepted units: {accepted}",
                    {"unit": self.unit, "name": spec.name, "accepted": accepted},
                )
            raise PydanticCustomError(
                UNIT_ERROR,
                "unknown unit '{unit}' for {name}; accepted units: {accepted}",
                {"unit": self.unit, "name": spec.name, "accepted": accepted},
            )
        canonical = conversion.to_canonical(self.value)
        low, high = spec.plausible
        if not low <= canonical <= high:
            raise PydanticCustomError(
                IMPLAUSIBLE_ERROR,
                "implausible {name} {value} {unit} (= {canonical} {canonical_unit}); "
                "plausible range is {low}–{high} {canonical_unit}",
                {
                    "name": spec.name,
                    "value": self.value,
                    "unit": self.unit,
                    "canonical": f"{canonical:.4g}",
                    "canonical_unit": spec.canonical_unit,
                    "low": f"{low:g}",
                    "high": f"{high:g}",
                },
            )
        self._canonical = canonical
        return self

    @property
    def canonical_value(self) -> float:
        """The value in the analyte's canonical unit."""
        return self._canonical

    @property
    def canonical_unit(self) -> str:
        return ANALYTES[self.analyte].canonical_unit

    def canonical_range(self) -> tuple[float | None, float | None]:
        """The lab's reference interval converted to the canonical unit."""
        if self.reference_range is None:
            return (None, None)
        conversion = ANALYTES[self.analyte].units[normalise_unit(self.unit)]
        low, high = self.reference_range.low, self.reference_range.high
        return (
            None if low is None else conversion.to_canonical(low),
            None if high is None else conversion.to_canonical(high),
        )
