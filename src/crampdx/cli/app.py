"""The ``crampdx`` command: wiring, error handling and stable exit codes.

Expected errors (bad input, broken rules, an engine that cannot run) print the
message and every located problem on stderr and exit with their code; only a
bug in crampdx prints a traceback (exit 70).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Annotated

import typer

from crampdx.__about__ import __version__
from crampdx.cli.assess_cmd import assess_command, explain_command
from crampdx.cli.common import ExitCode, exit_code_for, print_error
from crampdx.cli.rules_cmd import rules_app
from crampdx.cli.schema_cmd import schema_command
from crampdx.cli.serve_cmd import serve_command
from crampdx.errors import CrampdxError

__all__ = ["app", "main"]

app = typer.Typer(
    name="crampdx",
    help=(
        "Clinical decision support for muscle cramps: an explained differential, red flags, "
        "an ordered workup and the next findings worth collecting. Decision support, not a "
        "diagnosis.\n\nExit codes: 0 ok, 2 usage, 3 invalid input, 4 knowledge-base error, "
        "5 engine unavailable, 70 internal error."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"crampdx {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Clinical decision support for muscle cramps (not a diagnosis)."""


app.command("assess")(assess_command)
app.command("explain")(explain_command)
app.command("schema")(schema_command)
app.command("serve")(serve_command)
app.add_typer(rules_app, name="rules")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (the ``crampdx`` entry point)."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="crampdx")
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else ExitCode.USAGE)
    except CrampdxError as error:
        print_error(error)
        return exit_code_for(error)
    except KeyboardInterrupt:
        sys.stderr.write("crampdx: interrupted\n")
        return 130
    except Exception:  # a bug: keep the traceback for the report
        sys.stderr.write("crampdx: internal error (a bug in crampdx; please report it):\n")
        traceback.print_exc()
        return ExitCode.INTERNAL
    return ExitCode.OK
