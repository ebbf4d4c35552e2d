"""``crampdx schema``: JSON Schema of the patient record or of the rule files."""

from __future__ import annotations

from typing import Annotated

import typer

from crampdx.cli.common import out

__all__ = ["schema_command"]


def schema_command(
    rules: Annotated[
        bool, typer.Option("--rules", help="The schema of rule files instead of patient records.")
    ] = False,
) -> None:
    """Print the JSON Schema of the patient record (or, with --rules, of a rule file).

    Point an editor at it for completion and validation while writing YAML.
    """
    from crampdx.schema import patient_json_schema, render, rules_json_schema

    out().file.write(render(rules_json_schema() if rules else patient_json_schema()))
