"""JWT checks of the CDS Hooks service (CDS Hooks 2.0 'Trusting CDS Clients'), over HTTP."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
from cds_helpers import (
    ISSUER_A,
    ISSUER_B,
    Service,
    claims,
    hmac_token,
    sign,
    unsigned_token,
)
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from crampdx.cdshooks import CdsSettings, TrustedIssuer

FEEDBACK = {
    "feedback": [{"card": "c1", "outcome": "accepted", "outcomeTimestamp": "2026-11-01T10:00:00Z"}]
}


def _feedback_url(service: Service) -> str:
    return f"{service.hook_url}/feedback"


def _send(http: httpx.Client, service: Service, token: str | None) -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return http.post(_feedback_url(service), json=FEEDBACK, headers=headers)


def _refused(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body: dict[str, Any] = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "security"
    return str(body["issue"][0]["diagnostics"])


def test_valid_rs384_token_is_accepted(http: httpx.Client, service: Service) -> None:
    token = sign(claims(_feedback_url(service)), service.keys.rsa, "RS384", kid="rsa-a")
    assert _send(http, service, token).status_code == 200


def test_valid_ec_token_is_accepted(http: httpx.Client, service: Service) -> None:
    token = sign(claims(service.hook_url), service.keys.ec, "ES384", kid="ec-a")
    # The service URL is accepted as audience for its feedback endpoint too.
    assert _send(http, service, token).status_code == 200


def test_key_from_an_allow_listed_jku_is_fetched_and_used(
    http: httpx.Client, service: Service
) -> None:
    jku = f"{service.stub.base}/jwks.json"
    payload = claims(_feedback_url(service), issuer=ISSUER_B)
    token = sign(payload, service.keys.ec_b, "ES256", kid="ec-b", jku=jku)
    assert _send(http, service, token).status_code == 200
    assert any(path == "/jwks.json" for path, _ in service.stub.requests)


def test_jku_not_allow_listed_is_refused(http: httpx.Client, service: Service) -> None:
    payload = claims(_feedback_url(service), issuer=ISSUER_B)
    token = sign(
        payload, service.keys.ec_b, "ES256", kid="ec-b", jku="http://127.0.0.1:9/other.json"
    )
    assert "jku" in _refused(_send(http, service, token))


def test_hook_endpoint_checks_the_token_too(http: httpx.Client, service: Service) -> None:
    _refused(http.post(service.hook_url, json={"hook": "patient-view"}))


def test_missing_token_is_refused(http: httpx.Client, service: Service) -> None:
    _refused(_send(http, service, None))


def test_expired_token_is_refused(http: httpx.Client, service: Service) -> None:
    now = int(time.time())
    payload = claims(_feedback_url(service), iat=now - 900, exp=now - 600)
    token = sign(payload, service.keys.rsa, "RS384", kid="rsa-a")
    assert "expired" in _refused(_send(http, service, token))


def test_wrong_audience_is_refused(http: httpx.Client, service: Service) -> None:
    payload = claims(f"{service.base}/cds-services/another-service")
    token = sign(payload, service.keys.rsa, "RS384", kid="rsa-a")
    assert "audience" in _refused(_send(http, service, token))


def test_unknown_issuer_is_refused(http: httpx.Client, service: Service) -> None:
    payload = claims(_feedback_url(service), issuer="http://127.0.0.1/unknown-ehr")
    token = sign(payload, service.keys.rsa, "RS384", kid="rsa-a")
    assert "issuer" in _refused(_send(http, service, token))


def test_alg_none_is_refused(http: httpx.Client, service: Service) -> None:
    assert "none" in _refused(_send(http, service, unsigned_token(claims(_feedback_url(service)))))


def test_hs256_signed_with_the_public_key_is_refused(http: httpx.Client, service: Service) -> None:
    token = hmac_token(claims(_feedback_url(service)), service.keys.public_pem())
    assert "HS256" in _refused(_send(http, service, token))


def test_signature_by_another_key_is_refused(http: httpx.Client, service: Service) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = sign(claims(_feedback_url(service)), stranger, "RS384", kid="rsa-a")
    _refused(_send(http, service, token))


def test_replayed_jti_is_refused(http: httpx.Client, service: Service) -> None:
    token = sign(claims(_feedback_url(service)), service.keys.rsa, "RS384", kid="rsa-a")
    assert _send(http, service, token).status_code == 200
    assert "replay" in _refused(_send(http, service, token))
    # A new token with the same jti is a replay as well.
    jti = claims(_feedback_url(service))["jti"]
    first = sign(claims(_feedback_url(service), jti=jti), service.keys.rsa, "RS384", kid="rsa-a")
    again = sign(claims(_feedback_url(service), jti=jti), service.keys.ec, "ES384", kid="ec-a")
    assert _send(http, service, first).status_code == 200
    _refused(_send(http, service, again))


@pytest.mark.parametrize("missing", ["jti", "exp", "iat"])
def test_required_claims(http: httpx.Client, service: Service, missing: str) -> None:
    payload = claims(_feedback_url(service), **{missing: None})
    token = sign(payload, service.keys.rsa, "RS384", kid="rsa-a")
    assert missing in _refused(_send(http, service, token))


def test_expiry_too_far_in_the_future_is_refused(http: httpx.Client, service: Service) -> None:
    payload = claims(_feedback_url(service), exp=int(time.time()) + 30 * 86400)
    token = sign(payload, service.keys.rsa, "RS384", kid="rsa-a")
    _refused(_send(http, service, token))


def test_unknown_kid_is_refused(http: httpx.Client, service: Service) -> None:
    token = sign(claims(_feedback_url(service)), service.keys.rsa, "RS384", kid=str(uuid.uuid4()))
    assert "kid" in _refused(_send(http, service, token))


# --- settings: secure unless explicitly in development mode ---------------------------------


def test_auth_is_on_by_default_and_needs_issuers_and_an_audience() -> None:
    with pytest.raises(ValidationError, match="public_base_url"):
        CdsSettings()
    with pytest.raises(ValidationError, match="trusted_issuers"):
        CdsSettings(public_base_url="https://cds.example.org")
    assert CdsSettings(development_disable_auth=True).development_disable_auth


def test_a_trusted_issuer_needs_keys() -> None:
    with pytest.raises(ValidationError):
        TrustedIssuer(issuer=ISSUER_A)
    with pytest.raises(ValidationError):
        TrustedIssuer(issuer=ISSUER_A, jwks={"not": "a jwk set"})
