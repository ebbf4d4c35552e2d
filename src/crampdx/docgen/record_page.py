"""The patient-record reference page, generated from the Patient model and the fact vocabulary."""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from crampdx.facts import VOCABULARY, FactSpec
from crampdx.record.drugs import INGREDIENTS, DrugClass, Medication
from crampdx.record.labs import ANALYTES, LabResult, ReferenceRange
from crampdx.record.patient import Patient, TestDone
from crampdx.record.states import BodyRegion, Observation, State

__all__ = ["patient_record_page"]

_EXPANDED = {"LabResult", "Medication", "TestDone"}  # list items documented in their own table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The inner type of ``X | None`` and whether None was allowed."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _bounds(info: FieldInfo) -> str:
    parts = []
    for item in info.metadata:
        for name, symbol in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            value = getattr(item, name, None)
            if value is not None:
                parts.append(f"{symbol} {value}")
    return f" ({', '.join(parts)})" if parts else ""


def _type_text(annotation: Any, info: FieldInfo) -> str:
    inner, _ = _unwrap(annotation)
    if typing.get_origin(inner) is typing.Annotated:
        inner = typing.get_args(inner)[0]
    if inner is State:
        return "`present` / `absent` / `unknown`"
    if inner is Observation:
        return "state, or `{status, regions, side}`"
    if isinstance(inner, type) and issubclass(inner, Enum):
        return " / ".join(f"`{m.value}`" for m in inner if m.value != "unknown")
    origin = typing.get_origin(inner)
    if origin is tuple:
        item = typing.get_args(inner)[0]
        if isinstance(item, type) and issubclass(item, Enum):
            return "list of " + " / ".join(f"`{m.value}`" for m in item)
        name = getattr(item, "__name__", str(item))
        return f"list of {name}" + (" (see below)" if name in _EXPANDED else "")
    if inner in (float, int):
        return "number" + _bounds(info)
    name = getattr(inner, "__name__", str(inner))
    return {"str": "text", "bool": "true / false", "date": "date (ISO 8601)"}.get(name, name)


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows: list[str] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        inner, _ = _unwrap(info.annotation)
        if (
            isinstance(inner, type)
            and issubclass(inner, BaseModel)
            and inner not in (Observation, ReferenceRange)
        ):
            rows += _rows(inner, f"{path}.")
            continue
        description = info.description or ""
        rows.append(
            f"| `{path}` | {_cell(_type_text(info.annotation, info))} | {_cell(description)} |"
        )
    return rows


def _table(model: type[BaseModel], prefix: str = "") -> list[str]:
    return [
        "| Field | Value | Question / meaning |",
        "| --- | --- | --- |",
        *_rows(model, prefix),
        "",
    ]


def _labs() -> list[str]:
    lines = [
        "| Analyte | Name | Canonical unit | Accepted units | Plausible range | LOINC |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for analyte, spec in ANALYTES.items():
        low, high = spec.plausible
        lines.append(
            f"| `{analyte.value}` | {_cell(spec.name)} | {spec.canonical_unit} | "
            f"{_cell(', '.join(sorted(spec.units)))} | {low:g}–{high:g} | "
            f"{', '.join(spec.loinc)} |"
        )
    return [*lines, ""]


def _drugs() -> list[str]:
    by_class: dict[DrugClass, list[str]] = {c: [] for c in DrugClass}
    for ingredient in INGREDIENTS.values():
        for drug_class in ingredient.classes:
            by_class[drug_class].append(ingredient.name)
    lines = ["| Drug class (`drug.<class>`) | Ingredients recognised |", "| --- | --- |"]
    for drug_class, names in by_class.items():
        lines.append(f"| `{drug_class.value}` | {_cell(', '.join(sorted(names)) or '—')} |")
    return [*lines, ""]


def _vocabulary() -> list[str]:
    regions = {f".{r.value}" for r in BodyRegion} | {".side"}
    observations = {
        name for name in VOCABULARY if any(f"{name}{suffix}" in VOCABULARY for suffix in (".side",))
    }
    lines = ["| Fact | Kind | Values / unit | Question |", "| --- | --- | --- | --- |"]
    for name, spec in VOCABULARY.items():
        if name.startswith(("lab.", "drug.")):
            continue  # summarised by the lab and drug tables
        if any(name.endswith(s) and name.rsplit(".", 1)[0] in observations for s in regions):
            continue  # regional forms of an observation, summarised on its row
        lines.append(_fact_row(name, spec, name in observations))
    return [*lines, ""]


def _fact_row(name: str, spec: FactSpec, regional: bool) -> str:
    values = ", ".join(spec.values) if spec.values else (spec.unit or "")
    if spec.kind == "state":
        values = "present / absent"
    shown = f"`{name}`" + (" (+ `.<region>`, `.side`)" if regional else "")
    return f"| {shown} | {spec.kind} | {_cell(values)} | {_cell(spec.question)} |"


def patient_record_page() -> str:
    """The Markdown of ``patient-record.md``."""
    regions = ", ".join(f"`{r.value}`" for r in BodyRegion)
    lines = [
        "# Patient record reference",
        "",
        "<!-- Generated from crampdx.record and crampdx.facts by crampdx.docgen: do not edit. -->",
        "",
        "A patient record is a JSON or YAML file (or a mapping passed to `assess`). Every field",
        "is optional: a finding that is not recorded stays **unknown**, and unknown never counts",
        "against a cause. `crampdx schema` prints the same structure as a JSON Schema.",
        "",
        "Tri-state findings take `present`, `absent` or `unknown` (the default). In YAML, quote",
        "them if you ever write `yes`/`no`: YAML reads bare `yes`, `no`, `on`, `off` as booleans.",
        "Observations accept a bare state or `{status, regions, side}` with regions from",
        f"{regions}.",
        "",
        "## Record fields",
        "",
        *_table(Patient),
        "## Lab results (`labs`)",
        "",
        "Each result is converted to the analyte's canonical unit on input; an unknown unit or",
        "a value outside the plausible range is an error (never a silent guess).",
        "",
        *_table(LabResult),
        *_labs(),
        "## Medications (`medications`)",
        "",
        *_table(Medication),
        "Ingredients are mapped to drug classes; an unrecognised name is reported in the",
        "assessment for review by hand.",
        "",
        *_drugs(),
        "## Tests already done (`tests_done`)",
        "",
        *_table(TestDone),
        "## Fact names used by rules",
        "",
        "Rules do not read the nested record: they read flat *facts*. A fact missing from the",
        "patient's facts is unknown. Labs give `lab.<analyte>` (latest value, canonical unit)",
        "and `lab.<analyte>.lowest`, `.highest`, `.below_reference`, `.above_reference`;",
        "also `lab.calcium_corrected` (mmol/L) and `lab.ck_x_uln`. Medications give",
        "`drug.<class>` and `drug.<class>.started_before_cramps`; with `medications_complete:",
        "true`, unlisted classes are absent. Tests already done give `test.<id>`",
        "(`normal` / `abnormal` / `inconclusive`) and `test.<id>.<finding>`. Derived findings",
        "(`derived.*`) are listed in the",
        "[knowledge base](knowledge-base/index.md#derived-findings).",
        "",
        *_vocabulary(),
    ]
    return "\n".join(lines)
