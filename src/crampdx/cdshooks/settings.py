"""Settings of the CDS Hooks service: who may call it, how much it accepts, where it writes.

Security is on by default. Every hook and feedback call must carry a JWT signed by an
allow-listed issuer with an asymmetric key; turning that off needs the explicit
``development_disable_auth`` flag, which the service logs as a warning at start-up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from crampdx.errors import InteropError, Problem

__all__ = ["CdsSettings", "TrustedIssuer", "load_settings"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class TrustedIssuer(BaseModel):
    """An EHR (CDS client) allowed to call the service, and where its public keys are."""

    model_config = _FROZEN

    issuer: str = Field(min_length=1, description="The JWT 'iss' the client sends.")
    jwks: dict[str, Any] | None = Field(
        default=None, description="The client's JWK Set, exchanged out of band."
    )
    jku: tuple[str, ...] = Field(
        default=(),
        description="JWK Set URLs this client may name in the JWT 'jku' header (exact match).",
    )

    @model_validator(mode="after")
    def _has_keys(self) -> Self:
        if self.jwks is None and not self.jku:
            raise ValueError(f"issuer '{self.issuer}' needs a 'jwks' or at least one 'jku' URL")
        if self.jwks is not None and not isinstance(self.jwks.get("keys"), list):
            raise ValueError(f"issuer '{self.issuer}': 'jwks' must be a JWK Set ({{'keys': []}})")
        return self


class CdsSettings(BaseModel):
    """Configuration of :func:`crampdx.cdshooks.create_app`."""

    model_config = _FROZEN

    public_base_url: str | None = Field(
        default=None,
        description=(
            "The service's public base URL (e.g. https://cds.example.org). The JWT 'aud' "
            "must be '<public_base_url>/cds-services/<id>'. Required when auth is on."
        ),
    )
    trusted_issuers: tuple[TrustedIssuer, ...] = ()
    development_disable_auth: bool = Field(
        default=False,
        description="Accept calls without a JWT. For local development only, never in production.",
    )
    max_body_bytes: int = Field(default=2_000_000, ge=1_024, description="Largest request body.")
    fhir_timeout_seconds: float = Field(
        default=3.0, gt=0, le=30, description="Budget for all FHIR server queries of one hook call."
    )
    fhir_servers: tuple[str, ...] = Field(
        default=(),
        description=(
            "URL prefixes of FHIR servers the service may query when prefetch is missing. "
            "Empty: any https server."
        ),
    )
    fhir_max_pages: int = Field(default=5, ge=1, le=50, description="Search pages to follow.")
    fhir_max_concurrency: int = Field(
        default=8, ge=1, le=64, description="FHIR queries of one hook call run at once."
    )
    token_leeway_seconds: int = Field(default=30, ge=0, le=300)
    max_token_lifetime_seconds: int = Field(
        default=3600, ge=60, description="Reject JWTs whose 'exp' is further in the future."
    )
    jwks_cache_seconds: int = Field(default=300, ge=0)
    jku_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    feedback_log: Path | None = Field(
        default=None, description="Append each feedback item to this JSON Lines file."
    )
    rules_dirs: tuple[Path, ...] = Field(
        default=(), description="Extra rule folders stacked on the shipped knowledge base."
    )
    engine: str | None = Field(default=None, description="Rule engine ('durable', 'reference').")

    @model_validator(mode="after")
    def _secure_unless_development(self) -> Self:
        if self.development_disable_auth:
            return self
        if not self.public_base_url:
            raise ValueError(
                "public_base_url is required to check the JWT audience (or set "
                "development_disable_auth for local development)"
            )
        if not self.trusted_issuers:
            raise ValueError(
                "trusted_issuers is empty: no EHR could call the service (or set "
                "development_disable_auth for local development)"
            )
        return self

    def service_url(self, service_id: str, base: str) -> str:
        """The URL a client calls for ``service_id`` (the JWT audience)."""
        root = (self.public_base_url or base).rstrip("/")
        return f"{root}/cds-services/{service_id}"


def load_settings(path: str | Path) -> CdsSettings:
    """Read settings from a JSON or YAML file.

    Raises:
        InteropError: the file cannot be read or holds invalid settings.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
        data = json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, json.JSONDecodeError, yaml.YAMLError) as error:
        raise InteropError(f"cannot read CDS Hooks settings {file}: {error}") from error
    try:
        return CdsSettings.model_validate(data or {})
    except ValidationError as error:
        problems = tuple(
            Problem(
                "CDX-S001",
                item["msg"],
                field=".".join(str(p) for p in item["loc"]) or None,
                path=str(file),
            )
            for item in error.errors(include_url=False)
        )
        raise InteropError(f"invalid CDS Hooks settings in {file}", problems) from error
