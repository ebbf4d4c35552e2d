"""``crampdx serve``: run the CDS Hooks 2.0 service (needs the ``server`` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crampdx.errors import EngineUnavailableError

__all__ = ["serve_command"]


def serve_command(
    settings: Annotated[
        Path,
        typer.Option(help="CDS Hooks settings file (YAML or JSON): issuers, JWKS, public URL."),
    ],
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Run the CDS Hooks service (discovery, patient-view, feedback)."""
    try:
        from crampdx.cdshooks import load_settings, serve
    except ImportError as error:  # the optional extra is not installed
        raise EngineUnavailableError(
            f"the CDS Hooks service needs the 'server' extra (pip install 'crampdx[server]'): "
            f"{error}"
        ) from error
    serve(host, port, settings=load_settings(settings), workers=workers)
