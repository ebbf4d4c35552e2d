"""A CDS Hooks 2.0 service for crampdx (needs the ``server`` extra).

``create_app(settings)`` builds the FastAPI application; ``serve(host, port,
settings=...)`` runs it with uvicorn. Authentication of the calling EHR (JWT) is on by
default and can only be turned off with ``development_disable_auth``.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI

from crampdx.cdshooks.app import SERVICE_ID, create_app, discovery
from crampdx.cdshooks.cards import cards_for
from crampdx.cdshooks.prefetch import PREFETCH
from crampdx.cdshooks.settings import CdsSettings, TrustedIssuer, load_settings

__all__ = [
    "PREFETCH",
    "SERVICE_ID",
    "CdsSettings",
    "TrustedIssuer",
    "app_from_environment",
    "cards_for",
    "create_app",
    "discovery",
    "load_settings",
    "serve",
]


_SETTINGS_ENV = "CRAMPDX_CDS_SETTINGS"


def app_from_environment() -> FastAPI:
    """The application for settings passed as JSON in ``CRAMPDX_CDS_SETTINGS``.

    Used by :func:`serve` to start several worker processes.
    """
    return create_app(CdsSettings.model_validate_json(os.environ[_SETTINGS_ENV]))


def serve(
    host: str,
    port: int,
    *,
    settings: CdsSettings,
    workers: int = 1,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
) -> None:
    """Run the service with uvicorn until interrupted.

    Args:
        host: interface to listen on (``127.0.0.1`` for local use only).
        port: TCP port.
        settings: the service settings.
        workers: worker processes; assessments are CPU-bound, so use one per core
            to serve concurrent clients.
        ssl_certfile: TLS certificate. CDS Hooks requires HTTPS in production: give a
            certificate and key here, or run behind a TLS-terminating proxy.
        ssl_keyfile: TLS private key.
    """
    import uvicorn

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "server_header": False,
        "ws": "none",
        "ssl_certfile": ssl_certfile,
        "ssl_keyfile": ssl_keyfile,
    }
    if workers > 1:
        # Worker processes import the application: hand them the settings as JSON.
        os.environ[_SETTINGS_ENV] = settings.model_dump_json()
        uvicorn.run(
            "crampdx.cdshooks:app_from_environment", factory=True, workers=workers, **options
        )
        return
    uvicorn.run(create_app(settings), **options)
