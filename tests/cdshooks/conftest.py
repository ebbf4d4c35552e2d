"""A live CDS Hooks server (uvicorn on a random loopback port) and a stub FHIR/JWKS server,
shared by the CDS Hooks tests of one session."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from cds_helpers import ISSUER_A, ISSUER_B, MAX_BODY, Chart, Keys, LiveServer, Service, StubServer
from fastapi import FastAPI

from crampdx import default_knowledge_base
from crampdx.cdshooks import CdsSettings, TrustedIssuer, create_app


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys()


@pytest.fixture(scope="session")
def service(keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    feedback_log = tmp_path_factory.mktemp("cds") / "feedback.jsonl"
    compiled = default_knowledge_base()
    with StubServer(keys.jwks_b(), Chart()) as stub:

        def build(base: str) -> FastAPI:
            settings = CdsSettings(
                public_base_url=base,
                trusted_issuers=(
                    TrustedIssuer(issuer=ISSUER_A, jwks=keys.jwks_a()),
                    TrustedIssuer(issuer=ISSUER_B, jku=(f"{stub.base}/jwks.json",)),
                ),
                fhir_servers=(f"{stub.base}/fhir", f"{stub.base}/slow-fhir"),
                fhir_timeout_seconds=1.0,
                max_body_bytes=MAX_BODY,
                feedback_log=feedback_log,
                engine="reference",
            )
            return create_app(settings, knowledge_base=compiled)

        with LiveServer(build) as live:
            yield Service(live.base, stub, keys, feedback_log, live.app.state.crampdx)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30.0, trust_env=False) as client:
        yield client
