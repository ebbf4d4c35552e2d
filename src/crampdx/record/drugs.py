"""Medications and the curated ingredient → drug-class table.

Rules reason about drug *classes* (``drug.thiazide``), never about product
names. A medication maps to classes through its ingredient name or its RxNorm
ingredient code. A medication that maps to no class is kept and reported as
unmapped by the assessment: it is never silently dropped.

RxNorm ingredient codes marked ``verified=True`` were confirmed against the
OHDSI RxNorm vocabulary rows (engineering/interop.md §2.4); the others are
well-known codes that still need confirming against RxNav before use in
production mappings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from crampdx.record.states import State

__all__ = ["INGREDIENTS", "DrugClass", "Ingredient", "Medication", "classes_of"]


class DrugClass(StrEnum):
    """Drug classes that the clinical reference links to cramps or to their causes."""

    STATIN = "statin"
    FIBRATE = "fibrate"
    THIAZIDE = "thiazide"
    LOOP_DIURETIC = "loop_diuretic"
    POTASSIUM_SPARING_DIURETIC = "potassium_sparing_diuretic"
    BETA2_AGONIST = "beta2_agonist"
    LONG_ACTING_BETA2_AGONIST = "long_acting_beta2_agonist"
    INHALED_CORTICOSTEROID = "inhaled_corticosteroid"
    BETA_BLOCKER = "beta_blocker"
    BETA_BLOCKER_ISA = "beta_blocker_isa"
    ACE_INHIBITOR = "ace_inhibitor"
    ARB = "arb"
    CALCIUM_CHANNEL_BLOCKER = "calcium_channel_blocker"
    # CKS names nifedipine as a cause while diltiazem is an AAN Level C treatment.
    DIHYDROPYRIDINE_CCB = "dihydropyridine_ccb"
    PROTON_PUMP_INHIBITOR = "proton_pump_inhibitor"
    RALOXIFENE = "raloxifene"
    ESTROGEN = "estrogen"
    TERIPARATIDE = "teriparatide"
    IV_IRON = "iv_iron"
    NAPROXEN = "naproxen"
    TYROSINE_KINASE_INHIBITOR = "tyrosine_kinase_inhibitor"
    CHOLINESTERASE_INHIBITOR = "cholinesterase_inhibitor"
    LITHIUM = "lithium"
    TOLCAPONE = "tolcapone"
    PYRAZINAMIDE = "pyrazinamide"
    CIMETIDINE = "cimetidine"
    AMPHOTERICIN_B = "amphotericin_b"
    SUCCINYLCHOLINE = "succinylcholine"
    CORTICOSTEROID = "corticosteroid"
    PLATINUM_CHEMOTHERAPY = "platinum_chemotherapy"
    VINCA_ALKALOID = "vinca_alkaloid"
    TAXANE = "taxane"
    BORTEZOMIB = "bortezomib"
    GABAPENTINOID = "gabapentinoid"
    BENZODIAZEPINE = "benzodiazepine"
    SSRI = "ssri"
    CELECOXIB = "celecoxib"
    ZOLPIDEM = "zolpidem"
    STIMULANT = "stimulant"
    METFORMIN = "metformin"
    INSULIN = "insulin"
    SULFONYLUREA = "sulfonylurea"
    QUININE = "quinine"
    NITROUS_OXIDE = "nitrous_oxide"
    LEVOTHYROXINE = "levothyroxine"
    ANTITHYROID = "antithyroid"
    LAXATIVE = "laxative"


@dataclass(frozen=True, slots=True)
class Ingredient:
    """One active ingredient: its RxNorm code and the classes it belongs to."""

    name: str
    rxcui: str
    classes: tuple[DrugClass, ...]
    verified: bool = False


_C = DrugClass


def _table(*rows: Ingredient) -> dict[str, Ingredient]:
    return {row.name: row for row in rows}


INGREDIENTS: dict[str, Ingredient] = _table(
    # Statins and fibrates (Garrison 2012; EAS 2015)
    Ingredient("atorvastatin", "83367", (_C.STATIN,), verified=True),
    Ingredient("simvastatin", "36567", (_C.STATIN,), verified=True),
    Ingredient("rosuvastatin", "301542", (_C.STATIN,)),
    Ingredient("pravastatin", "42463", (_C.STATIN,)),
    Ingredient("lovastatin", "6472", (_C.STATIN,)),
    Ingredient("fluvastatin", "41127", (_C.STATIN,)),
    Ingredient("pitavastatin", "861634", (_C.STATIN,)),
    Ingredient("fenofibrate", "8703", (_C.FIBRATE,)),
    Ingredient("gemfibrozil", "4719", (_C.FIBRATE,)),
    Ingredient("clofibrate", "2594", (_C.FIBRATE,)),
    # Diuretics (Garrison 2012)
    Ingredient("hydrochlorothiazide", "5487", (_C.THIAZIDE,), verified=True),
    Ingredient("chlorthalidone", "2409", (_C.THIAZIDE,)),
    Ingredient("indapamide", "5764", (_C.THIAZIDE,)),
    Ingredient("metolazone", "6916", (_C.THIAZIDE,)),
    Ingredient("chlorothiazide", "2396", (_C.THIAZIDE,)),
    Ingredient("bendroflumethiazide", "1369", (_C.THIAZIDE,)),
    Ingredient("furosemide", "4603", (_C.LOOP_DIURETIC,), verified=True),
    Ingredient("bumetanide", "1808", (_C.LOOP_DIURETIC,)),
    Ingredient("torsemide", "38413", (_C.LOOP_DIURETIC,)),
    Ingredient("ethacrynic acid", "4109", (_C.LOOP_DIURETIC,)),
    Ingredient("spironolactone", "9997", (_C.POTASSIUM_SPARING_DIURETIC,)),
    Ingredient("eplerenone", "298869", (_C.POTASSIUM_SPARING_DIURETIC,)),
    Ingredient("amiloride", "644", (_C.POTASSIUM_SPARING_DIURETIC,)),
    Ingredient("triamterene", "10763", (_C.POTASSIUM_SPARING_DIURETIC,)),
    # β2-agonists (Garrison 2012: LABA strongest)
    Ingredient("albuterol", "435", (_C.BETA2_AGONIST,), verified=True),
    Ingredient("salbutamol", "435", (_C.BETA2_AGONIST,), verified=True),
    Ingredient("levalbuterol", "237159", (_C.BETA2_AGONIST,)),
    Ingredient("terbutaline", "10368", (_C.BETA2_AGONIST,)),
    Ingredient("salmeterol", "36117", (_C.BETA2_AGONIST, _C.LONG_ACTING_BETA2_AGONIST), True),
    Ingredient("formoterol", "25255", (_C.BETA2_AGONIST, _C.LONG_ACTING_BETA2_AGONIST)),
    Ingredient("vilanterol", "1424884", (_C.BETA2_AGONIST, _C.LONG_ACTING_BETA2_AGONIST)),
    Ingredient("olodaterol", "1545658", (_C.BETA2_AGONIST, _C.LONG_ACTING_BETA2_AGONIST)),
    Ingredient("indacaterol", "1114333", (_C.BETA2_AGONIST, _C.LONG_ACTING_BETA2_AGONIST)),
    # Inhaled corticosteroids: LABA + ICS had the highest sequence ratio (Garrison 2012)
    Ingredient("budesonide", "19831", (_C.INHALED_CORTICOSTEROID,)),
    Ingredient("fluticasone", "41126", (_C.INHALED_CORTICOSTEROID,)),
    Ingredient("beclomethasone", "1347", (_C.INHALED_CORTICOSTEROID,)),
    Ingredient("mometasone", "108118", (_C.INHALED_CORTICOSTEROID,)),
    Ingredient("ciclesonide", "274964", (_C.INHALED_CORTICOSTEROID,)),
    # β-blockers; those with intrinsic sympathomimetic activity are flagged (BMJ BP)
    Ingredient("metoprolol", "6918", (_C.BETA_BLOCKER,), verified=True),
    Ingredient("atenolol", "1202", (_C.BETA_BLOCKER,)),
    Ingredient("propranolol", "8787", (_C.BETA_BLOCKER,)),
    Ingredient("carvedilol", "20352", (_C.BETA_BLOCKER,)),
    Ingredient("bisoprolol", "19484", (_C.BETA_BLOCKER,)),
    Ingredient("labetalol", "6185", (_C.BETA_BLOCKER,)),
    Ingredient("nebivolol", "31555", (_C.BETA_BLOCKER,)),
    Ingredient("pindolol", "8332", (_C.BETA_BLOCKER, _C.BETA_BLOCKER_ISA)),
    Ingredient("acebutolol", "149", (_C.BETA_BLOCKER, _C.BETA_BLOCKER_ISA)),
    Ingredient("oxprenolol", "7794", (_C.BETA_BLOCKER, _C.BETA_BLOCKER_ISA)),
    Ingredient("celiprolol", "20498", (_C.BETA_BLOCKER, _C.BETA_BLOCKER_ISA)),
    # Renin-angiotensin system and calcium-channel blockers
    Ingredient("lisinopril", "29046", (_C.ACE_INHIBITOR,)),
    Ingredient("enalapril", "3827", (_C.ACE_INHIBITOR,)),
    Ingredient("ramipril", "35296", (_C.ACE_INHIBITOR,)),
    Ingredient("perindopril", "54552", (_C.ACE_INHIBITOR,)),
    Ingredient("captopril", "1998", (_C.ACE_INHIBITOR,)),
    Ingredient("losartan", "52175", (_C.ARB,)),
    Ingredient("valsartan", "69749", (_C.ARB,)),
    Ingredient("candesartan", "214354", (_C.ARB,)),
    Ingredient("irbesartan", "83818", (_C.ARB,)),
    Ingredient("telmisartan", "73494", (_C.ARB,)),
    Ingredient("nifedipine", "7417", (_C.CALCIUM_CHANNEL_BLOCKER, _C.DIHYDROPYRIDINE_CCB)),
    Ingredient("amlodipine", "17767", (_C.CALCIUM_CHANNEL_BLOCKER, _C.DIHYDROPYRIDINE_CCB)),
    Ingredient("felodipine", "4316", (_C.CALCIUM_CHANNEL_BLOCKER, _C.DIHYDROPYRIDINE_CCB)),
    Ingredient("verapamil", "11170", (_C.CALCIUM_CHANNEL_BLOCKER,)),
    Ingredient("diltiazem", "3443", (_C.CALCIUM_CHANNEL_BLOCKER,)),
    # Proton-pump inhibitors (hypomagnesaemia)
    Ingredient("omeprazole", "7646", (_C.PROTON_PUMP_INHIBITOR,)),
    Ingredient("esomeprazole", "283742", (_C.PROTON_PUMP_INHIBITOR,)),
    Ingredient("lansoprazole", "17128", (_C.PROTON_PUMP_INHIBITOR,)),
    Ingredient("pantoprazole", "40790", (_C.PROTON_PUMP_INHIBITOR,)),
    Ingredient("rabeprazole", "114979", (_C.PROTON_PUMP_INHIBITOR,)),
    # AFP 2012 "most strongly associated"
    Ingredient("raloxifene", "72143", (_C.RALOXIFENE,)),
    Ingredient("estrogens, conjugated", "4099", (_C.ESTROGEN,)),
    Ingredient("ethinyl estradiol", "4124", (_C.ESTROGEN,)),
    Ingredient("estradiol", "4083", (_C.ESTROGEN,)),
    Ingredient("teriparatide", "110634", (_C.TERIPARATIDE,)),
    Ingredient("iron sucrose", "24909", (_C.IV_IRON,)),
    Ingredient("ferric carboxymaltose", "1008522", (_C.IV_IRON,)),
    Ingredient("naproxen", "7258", (_C.NAPROXEN,)),
    # Oncology
    Ingredient("imatinib", "282388", (_C.TYROSINE_KINASE_INHIBITOR,)),
    Ingredient("nilotinib", "662281", (_C.TYROSINE_KINASE_INHIBITOR,)),
    Ingredient("dasatinib", "475342", (_C.TYROSINE_KINASE_INHIBITOR,)),
    Ingredient("cisplatin", "2555", (_C.PLATINUM_CHEMOTHERAPY,)),
    Ingredient("oxaliplatin", "32592", (_C.PLATINUM_CHEMOTHERAPY,)),
    Ingredient("carboplatin", "40048", (_C.PLATINUM_CHEMOTHERAPY,)),
    Ingredient("vincristine", "11202", (_C.VINCA_ALKALOID,)),
    Ingredient("vinblastine", "11198", (_C.VINCA_ALKALOID,)),
    Ingredient("paclitaxel", "56946", (_C.TAXANE,)),
    Ingredient("docetaxel", "72962", (_C.TAXANE,)),
    Ingredient("bortezomib", "358258", (_C.BORTEZOMIB,)),
    # Neurology and psychiatry
    Ingredient("donepezil", "135447", (_C.CHOLINESTERASE_INHIBITOR,)),
    Ingredient("rivastigmine", "183379", (_C.CHOLINESTERASE_INHIBITOR,)),
    Ingredient("galantamine", "4637", (_C.CHOLINESTERASE_INHIBITOR,)),
    Ingredient("neostigmine", "7315", (_C.CHOLINESTERASE_INHIBITOR,)),
    Ingredient("pyridostigmine", "9000", (_C.CHOLINESTERASE_INHIBITOR,)),
    Ingredient("lithium", "6448", (_C.LITHIUM,)),
    Ingredient("tolcapone", "72937", (_C.TOLCAPONE,)),
    Ingredient("gabapentin", "25480", (_C.GABAPENTINOID,)),
    Ingredient("pregabalin", "187832", (_C.GABAPENTINOID,)),
    Ingredient("clonazepam", "2598", (_C.BENZODIAZEPINE,)),
    Ingredient("diazepam", "3322", (_C.BENZODIAZEPINE,)),
    Ingredient("citalopram", "2556", (_C.SSRI,)),
    Ingredient("zolpidem", "39993", (_C.ZOLPIDEM,)),
    Ingredient("celecoxib", "140587", (_C.CELECOXIB,)),
    # Stimulants (Merck; RxList)
    Ingredient("amphetamine", "725", (_C.STIMULANT,)),
    Ingredient("methylphenidate", "6901", (_C.STIMULANT,)),
    Ingredient("caffeine", "1886", (_C.STIMULANT,)),
    Ingredient("pseudoephedrine", "8896", (_C.STIMULANT,)),
    Ingredient("ephedrine", "3966", (_C.STIMULANT,)),
    Ingredient("cocaine", "2670", (_C.STIMULANT,)),
    Ingredient("nicotine", "7407", (_C.STIMULANT,)),
    # Others listed by the clinical reference
    Ingredient("pyrazinamide", "8987", (_C.PYRAZINAMIDE,)),
    Ingredient("cimetidine", "2541", (_C.CIMETIDINE,)),
    Ingredient("amphotericin b", "732", (_C.AMPHOTERICIN_B,)),
    Ingredient("succinylcholine", "10154", (_C.SUCCINYLCHOLINE,)),
    Ingredient("prednisone", "8640", (_C.CORTICOSTEROID,)),
    Ingredient("prednisolone", "8638", (_C.CORTICOSTEROID,)),
    Ingredient("dexamethasone", "3264", (_C.CORTICOSTEROID,)),
    Ingredient("hydrocortisone", "5492", (_C.CORTICOSTEROID,)),
    Ingredient("metformin", "6809", (_C.METFORMIN,)),
    Ingredient("insulin", "5856", (_C.INSULIN,)),
    Ingredient("insulin glargine", "274783", (_C.INSULIN,)),
    Ingredient("insulin lispro", "86009", (_C.INSULIN,)),
    Ingredient("glipizide", "4821", (_C.SULFONYLUREA,)),
    Ingredient("glyburide", "4815", (_C.SULFONYLUREA,)),
    Ingredient("gliclazide", "4816", (_C.SULFONYLUREA,)),
    Ingredient("glimepiride", "25789", (_C.SULFONYLUREA,)),
    Ingredient("quinine", "9071", (_C.QUININE,)),
    Ingredient("nitrous oxide", "7517", (_C.NITROUS_OXIDE,)),
    Ingredient("levothyroxine", "10582", (_C.LEVOTHYROXINE,)),
    Ingredient("methimazole", "6835", (_C.ANTITHYROID,)),
    Ingredient("carbimazole", "2045", (_C.ANTITHYROID,)),
    Ingredient("propylthiouracil", "8794", (_C.ANTITHYROID,)),
    Ingredient("bisacodyl", "1423", (_C.LAXATIVE,)),
    Ingredient("senna", "9601", (_C.LAXATIVE,)),
)

_BY_RXCUI: dict[str, Ingredient] = {row.rxcui: row for row in INGREDIENTS.values()}


def _ingredient_key(name: str) -> str:
    return " ".join(name.strip().lower().split())


def lookup(name: str, rxnorm: str | None = None) -> Ingredient | None:
    """The ingredient for a medication: by RxNorm code first, else by ingredient name."""
    if rxnorm is not None and rxnorm in _BY_RXCUI:
        return _BY_RXCUI[rxnorm]
    return INGREDIENTS.get(_ingredient_key(name))


def classes_of(name: str, rxnorm: str | None = None) -> tuple[DrugClass, ...]:
    """The drug classes of a medication, or ``()`` when crampdx does not know it."""
    ingredient = lookup(name, rxnorm)
    return () if ingredient is None else ingredient.classes


class Medication(BaseModel):
    """A medication the patient takes or recently took."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, description="Ingredient name, e.g. 'hydrochlorothiazide'.")
    rxnorm: str | None = Field(
        default=None, pattern=r"^\d+$", description="RxNorm ingredient code (RxCUI), if known."
    )
    started: dt.date | None = Field(default=None, description="Start date (ISO 8601).")
    started_before_cramps: State = Field(
        default=State.UNKNOWN,
        description="Was this drug started before the cramps began (or did they worsen after)?",
    )
    stopped: dt.date | None = Field(
        default=None, description="Stop date, when the drug has been stopped."
    )

    @property
    def classes(self) -> tuple[DrugClass, ...]:
        return classes_of(self.name, self.rxnorm)
