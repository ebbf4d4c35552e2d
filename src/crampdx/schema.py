"""JSON Schemas of the patient record and of the rule files, exported from the models.

The pydantic models are the single source of truth; the schemas are exported
from them for editors and for integrators in other languages. Two committed
files hold the exports, and a test fails when they fall behind the models::

    python -m crampdx.schema --write     # regenerate schema/patient.schema.json, rules/schema.json
    python -m crampdx.schema --check     # exit 1 when a committed file is stale

The exports add what the models accept but pydantic cannot describe on its
own: a bare state as shorthand for an observation (``fasciculations: present``),
the accepted units of each analyte, and the patient schema for the inline test
cases of rules (partial patient records).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crampdx.kb.model import CauseCategory, RuleFile
from crampdx.record.labs import ANALYTES
from crampdx.record.patient import Patient

__all__ = [
    "PATIENT_SCHEMA_PATH",
    "RULES_SCHEMA_PATH",
    "patient_json_schema",
    "render",
    "rules_json_schema",
    "stale_files",
    "write_schemas",
]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Paths of the committed exports, relative to the project root.
PATIENT_SCHEMA_PATH = Path("schema") / "patient.schema.json"
RULES_SCHEMA_PATH = Path("rules") / "schema.json"
REGENERATE = "python -m crampdx.schema --write"


def _accepted_units() -> str:
    lines = [
        f"{analyte.value}: {', '.join(sorted(spec.units))}" for analyte, spec in ANALYTES.items()
    ]
    return (
        "The unit as reported. Accepted spellings by analyte (case, spaces and the micro "
        "sign do not matter): " + "; ".join(lines) + "."
    )


def patient_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a patient record file.

    Checks that a schema cannot express (lab values inside the plausible range
    once converted, pregnancy consistent with sex and age) are still enforced
    when the record is loaded.
    """
    schema = Patient.model_json_schema(mode="validation")
    definitions = schema["$defs"]
    observation = definitions["Observation"]
    # A bare state stands for {status: <state>} (Observation's "before" validator).
    definitions["Observation"] = {
        "anyOf": [{"$ref": "#/$defs/State"}, observation],
        "description": observation.get("description", ""),
        "title": "Observation",
    }
    definitions["LabResult"]["properties"]["unit"]["description"] = _accepted_units()
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


def rules_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file under ``rules/``.

    Inline rule test cases (``tests: {fires: [...], does_not_fire: [...]}``) are
    partial patient records, so they are described by the patient schema.

    Raises:
        RuntimeError: a definition name is shared by the two schemas with different content.
    """
    schema = RuleFile.model_json_schema(mode="validation")
    definitions: dict[str, Any] = schema["$defs"]
    patient = patient_json_schema()
    for name, definition in patient.pop("$defs").items():
        if name in definitions and definitions[name] != definition:
            raise RuntimeError(f"schema definition {name!r} differs between patient and rules")
        definitions[name] = definition
    patient.pop("$schema")
    definitions["Patient"] = patient
    for kind in ("fires", "does_not_fire"):
        definitions["RuleTests"]["properties"][kind]["items"] = {"$ref": "#/$defs/Patient"}
    # Cause.category is a plain string checked against CauseCategory by a validator.
    definitions["Cause"]["properties"]["category"]["enum"] = [c.value for c in CauseCategory]
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


def render(schema: dict[str, Any]) -> str:
    """The text committed for ``schema``: stable key order, two-space indent, final newline."""
    return json.dumps(copy.deepcopy(schema), indent=2, ensure_ascii=False) + "\n"


def _exports() -> dict[Path, str]:
    return {
        PATIENT_SCHEMA_PATH: render(patient_json_schema()),
        RULES_SCHEMA_PATH: render(rules_json_schema()),
    }


def write_schemas(root: Path) -> list[Path]:
    """Write both exports under ``root`` (the project root) and return the paths written."""
    written = []
    for relative, text in _exports().items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_files(root: Path) -> list[Path]:
    """The committed exports under ``root`` that are missing or differ from the models."""
    stale = []
    for relative, text in _exports().items():
        path = root / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``--write`` regenerates the exports, ``--check`` reports stale ones."""
    parser = argparse.ArgumentParser(
        prog="python -m crampdx.schema",
        description="Export the JSON Schemas of the patient record and the rule files.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="write both schema files")
    action.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    action.add_argument(
        "--print", choices=("patient", "rules"), dest="show", help="print one schema"
    )
    parser.add_argument(
        "--root", type=Path, default=Path.cwd(), help="project root (default: current folder)"
    )
    args = parser.parse_args(argv)
    if args.show:
        schema = patient_json_schema() if args.show == "patient" else rules_json_schema()
        sys.stdout.write(render(schema))
        return 0
    root: Path = args.root
    if not (root / "rules").is_dir():
        parser.error(f"{root} has no rules/ folder: run from the project root or pass --root")
    if args.write:
        for path in write_schemas(root):
            print(f"wrote {path}")
        return 0
    stale = stale_files(root)
    for path in stale:
        print(f"{path} is stale: run `{REGENERATE}`", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
