"""Check the JWT a CDS client (the EHR) sends with each call, as CDS Hooks 2.0 requires.

The checks, in order: the header names an asymmetric algorithm (never ``none`` or an
HMAC); the issuer is allow-listed; the signing key comes from that issuer's configured
JWK Set or from a ``jku`` URL allow-listed for it; the signature, ``exp``, ``iat``,
``aud`` (this endpoint's URL) and ``iss`` are valid; and the ``jti`` has not been seen
before (replay). A token is only remembered after its signature checks out, so forged
tokens cannot fill the replay cache.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from crampdx.cdshooks.settings import CdsSettings, TrustedIssuer

__all__ = ["ALLOWED_ALGORITHMS", "AuthError", "JtiCache", "JwtVerifier", "VerifiedClient"]

ALLOWED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_MAX_JWKS_BYTES = 256_000


class AuthError(Exception):
    """The call is not authenticated; ``message`` is safe to return to the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class VerifiedClient:
    """Who called: the verified issuer and token id."""

    issuer: str
    jti: str
    subject: str | None


class JtiCache:
    """Token ids already used, each kept until its token expires (replay protection)."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def add(self, issuer: str, jti: str, expires_at: float, now: float) -> bool:
        """Remember a token id; False when it was already used."""
        with self._lock:
            if len(self._seen) >= self._max:
                self._seen = {key: exp for key, exp in self._seen.items() if exp > now}
            key = (issuer, jti)
            if key in self._seen and self._seen[key] > now:
                return False
            if len(self._seen) >= self._max:
                # Only verified tokens reach here; refusing is safer than forgetting ids.
                return False
            self._seen[key] = expires_at
            return True


_MIN_REFRESH_SECONDS = 30.0


class _JwksCache:
    def __init__(self) -> None:
        self._sets: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = asyncio.Lock()

    async def get(
        self, url: str, client: httpx.AsyncClient, timeout: float, ttl: float, refresh: bool
    ) -> dict[str, Any]:
        async with self._lock:
            cached = self._sets.get(url)
            if cached is not None:
                age = time.monotonic() - cached[0]
                # A forced refresh (unknown kid) is rate-limited: a token naming a made-up
                # kid must not turn the service into a request amplifier.
                if age < (_MIN_REFRESH_SECONDS if refresh else ttl):
                    return cached[1]
        try:
            response = await client.get(url, timeout=timeout, follow_redirects=False)
        except httpx.HTTPError as error:
            reason = f"cannot fetch the JWK Set named by 'jku': {type(error).__name__}"
            raise AuthError(reason) from error
        if response.status_code != 200 or len(response.content) > _MAX_JWKS_BYTES:
            raise AuthError(f"the JWK Set named by 'jku' answered HTTP {response.status_code}")
        try:
            keys = json.loads(response.content)
        except json.JSONDecodeError as error:
            raise AuthError("the JWK Set named by 'jku' is not JSON") from error
        if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
            raise AuthError("the document named by 'jku' is not a JWK Set")
        async with self._lock:
            self._sets[url] = (time.monotonic(), keys)
        return keys


def _key_from(jwks: dict[str, Any], kid: str | None, algorithm: str) -> Any:
    keys = [k for k in jwks.get("keys", []) if isinstance(k, dict)]
    if kid is not None:
        keys = [k for k in keys if k.get("kid") == kid]
    elif len(keys) != 1:
        raise AuthError("the JWT has no 'kid' and the issuer's JWK Set holds several keys")
    if not keys:
        raise AuthError("no key with the JWT's 'kid' in the issuer's JWK Set")
    candidate = keys[0]
    if candidate.get("kty") == "oct":
        raise AuthError("symmetric keys are not accepted")
    try:
        return jwt.PyJWK(candidate, algorithm=algorithm).key
    except (jwt.PyJWKError, jwt.InvalidKeyError) as error:
        raise AuthError(f"the issuer's key does not fit algorithm {algorithm}") from error


class JwtVerifier:
    """Verifies CDS client JWTs against the settings' trusted issuers."""

    def __init__(self, settings: CdsSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self.issuers: dict[str, TrustedIssuer] = {t.issuer: t for t in settings.trusted_issuers}
        self.replay = JtiCache()
        self._jwks = _JwksCache()

    async def verify(self, token: str, audiences: list[str]) -> VerifiedClient:
        """Check one bearer token for a call to an endpoint known by ``audiences``.

        Raises:
            AuthError: with a message safe to return to the caller.
        """
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise AuthError("the bearer token is not a well-formed JWT") from error
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise AuthError(
                f"JWT algorithm '{algorithm}' is not accepted: use an asymmetric algorithm "
                "(RS384, ES384, …); 'none' and HMAC algorithms are refused"
            )
        issuer = unverified.get("iss")
        trusted = self.issuers.get(issuer) if isinstance(issuer, str) else None
        if trusted is None:
            raise AuthError("the JWT issuer is not allow-listed")
        key = await self._signing_key(trusted, header, algorithm)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=audiences,
                issuer=trusted.issuer,
                leeway=self.settings.token_leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud", "jti"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise AuthError("the JWT has expired") from error
        except jwt.InvalidAudienceError as error:
            raise AuthError("the JWT audience is not this service's URL") from error
        except jwt.MissingRequiredClaimError as error:
            raise AuthError(f"the JWT lacks the '{error.claim}' claim") from error
        except jwt.PyJWTError as error:
            raise AuthError(f"the JWT is invalid ({type(error).__name__})") from error
        now = time.time()
        expires = float(claims["exp"])
        if expires - now > self.settings.max_token_lifetime_seconds:
            raise AuthError("the JWT 'exp' is too far in the future")
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise AuthError("the JWT 'jti' must be a non-empty string")
        leeway = self.settings.token_leeway_seconds
        if not self.replay.add(trusted.issuer, jti, expires + leeway, now):
            raise AuthError("the JWT 'jti' was already used (replay)")
        subject = claims.get("sub")
        return VerifiedClient(trusted.issuer, jti, subject if isinstance(subject, str) else None)

    async def _signing_key(
        self, trusted: TrustedIssuer, header: dict[str, Any], algorithm: str
    ) -> Any:
        kid = header.get("kid")
        kid = kid if isinstance(kid, str) else None
        jku = header.get("jku")
        if jku is None:
            if trusted.jwks is None:
                raise AuthError("the JWT has no 'jku' and no JWK Set is configured for its issuer")
            return _key_from(trusted.jwks, kid, algorithm)
        if not isinstance(jku, str) or jku not in trusted.jku:
            raise AuthError("the JWT 'jku' is not allow-listed for its issuer")
        settings = self.settings
        jwks = await self._jwks.get(
            jku, self.client, settings.jku_timeout_seconds, settings.jwks_cache_seconds, False
        )
        try:
            return _key_from(jwks, kid, algorithm)
        except AuthError:
            # The client may have rotated its keys since the set was cached: fetch once more.
            jwks = await self._jwks.get(
                jku, self.client, settings.jku_timeout_seconds, settings.jwks_cache_seconds, True
            )
            return _key_from(jwks, kid, algorithm)
