"""Helpers for the CDS Hooks tests: keys and tokens, a stub FHIR/JWKS server and a live
uvicorn server, all on the loopback interface only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI

LOOPBACK = "127.0.0.1"
MAX_BODY = 100_000
ISSUER_A = "http://127.0.0.1/ehr-a"  # keys configured in the settings (out of band)
ISSUER_B = "http://127.0.0.1/ehr-b"  # keys published at an allow-listed jku URL
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


# --- keys and tokens --------------------------------------------------------------------------


class Keys:
    """An RSA and an EC key for issuer A, an EC key for issuer B (served at a jku URL)."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP384R1())
        self.ec_b = ec.generate_private_key(ec.SECP256R1())

    @staticmethod
    def _jwk(private_key: Any, kid: str, algorithm: str) -> dict[str, Any]:
        algo = jwt.get_algorithm_by_name(algorithm)
        data: dict[str, Any] = json.loads(algo.to_jwk(private_key.public_key()))
        data.update({"kid": kid, "alg": algorithm, "use": "sig"})
        return data

    def jwks_a(self) -> dict[str, Any]:
        return {
            "keys": [self._jwk(self.rsa, "rsa-a", "RS384"), self._jwk(self.ec, "ec-a", "ES384")]
        }

    def jwks_b(self) -> dict[str, Any]:
        return {"keys": [self._jwk(self.ec_b, "ec-b", "ES256")]}

    def public_pem(self) -> bytes:
        return self.rsa.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def claims(audience: str, issuer: str = ISSUER_A, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": issuer,
        "sub": "test-client",
        "aud": audience,
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
    }
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not None}


def sign(payload: dict[str, Any], key: Any, algorithm: str, **headers: Any) -> str:
    return jwt.encode(payload, key, algorithm=algorithm, headers={"typ": "JWT", **headers})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(payload: dict[str, Any]) -> str:
    """alg 'none': no signature at all."""
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(payload).encode())}."


def hmac_token(payload: dict[str, Any], secret: bytes) -> str:
    """HS256 signed with the issuer's *public* key as the secret (key-confusion attack)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-a"}).encode())
    body = _b64(json.dumps(payload).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


# --- FHIR data ----------------------------------------------------------------------------------


def patient_resource(patient_id: str = "p1") -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": patient_id,
        "gender": "female",
        "birthDate": "1958-04-02",
    }


def _subject(patient_id: str) -> dict[str, str]:
    return {"reference": f"Patient/{patient_id}"}


def potassium(value: float, patient_id: str = "p1", rid: str = "k1") -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "6298-4"}]},
        "subject": _subject(patient_id),
        "effectiveDateTime": "2026-10-30",
        "valueQuantity": {
            "value": value,
            "system": "http://unitsofmeasure.org",
            "code": "mmol/L",
            "unit": "mmol/L",
        },
    }


def cramp_condition(patient_id: str = "p1") -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": "cramps",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"coding": [{"system": ICD10CM, "code": "R25.2"}]},
        "subject": _subject(patient_id),
        "recordedDate": "2026-09-01",
    }


def thiazide(patient_id: str = "p1") -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "hctz",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "5487"}]},
        "subject": _subject(patient_id),
        "authoredOn": "2025-01-10",
    }


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [{"resource": r, "search": {"mode": "match"}} for r in resources],
    }


class Chart:
    """One patient's chart, answered as prefetch or as FHIR searches."""

    def __init__(
        self,
        *,
        patient_id: str = "p1",
        k: float | None = 2.3,
        cramps: bool = True,
        on_thiazide: bool = True,
    ) -> None:
        self.patient = patient_resource(patient_id)
        self.observations = [] if k is None else [potassium(k, patient_id)]
        self.conditions = [cramp_condition(patient_id)] if cramps else []
        self.medications = [thiazide(patient_id)] if on_thiazide else []

    def prefetch(self, templates: dict[str, str]) -> dict[str, Any]:
        """Every prefetch key answered; keys without data are null (as the spec says)."""
        values: dict[str, Any] = dict.fromkeys(templates)
        values["patient"] = self.patient
        values["conditions"] = searchset(*self.conditions) if self.conditions else None
        values["medications"] = searchset(*self.medications) if self.medications else None
        values["lab_potassium"] = searchset(*self.observations) if self.observations else None
        return values

    def search(self, resource_type: str, query: dict[str, list[str]]) -> dict[str, Any]:
        if resource_type == "Condition":
            return searchset(*self.conditions)
        if resource_type == "MedicationRequest":
            return searchset(*self.medications)
        wanted = {c.split("|")[-1] for c in ",".join(query.get("code", [])).split(",")}
        return searchset(
            *(o for o in self.observations if o["code"]["coding"][0]["code"] in wanted)
        )


def hook_request(
    *,
    prefetch: dict[str, Any] | None,
    fhir_server: str | None = None,
    patient_id: str = "p1",
    token: str = "fhir-token-123",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/dr1", "patientId": patient_id},
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    if fhir_server is not None:
        body["fhirServer"] = fhir_server
        body["fhirAuthorization"] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "crampdx",
        }
    return body


# --- servers ----------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the service opens one connection per prefetch query at once
    daemon_threads = True


class StubServer:
    """A loopback HTTP server: a JWK Set at /jwks.json and a FHIR API under /fhir/ (and a
    slow one under /slow-fhir/). Records every request it answers."""

    def __init__(self, jwks: dict[str, Any], chart: Chart, slow_seconds: float = 3.0) -> None:
        self.jwks = jwks
        self.chart = chart
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[str, str | None]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                stub.requests.append((self.path, self.headers.get("Authorization")))
                body, status = stub.answer(self.path)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the service gave up waiting (the slow-server test): expected

        self.httpd = _Server((LOOPBACK, 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://{LOOPBACK}:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer(self, path: str) -> tuple[Any, int]:
        parts = urlsplit(path)
        if parts.path == "/jwks.json":
            return self.jwks, 200
        if parts.path.startswith("/slow-fhir/"):
            time.sleep(self.slow_seconds)
            return searchset(), 200
        if not parts.path.startswith("/fhir/"):
            return {"resourceType": "OperationOutcome", "issue": []}, 404
        resource = parts.path.removeprefix("/fhir/")
        if resource.startswith("Patient/"):
            if resource == f"Patient/{self.chart.patient['id']}":
                return self.chart.patient, 200
            return {"resourceType": "OperationOutcome", "issue": []}, 404
        return self.chart.search(resource, parse_qs(parts.query)), 200

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    return sock


class LiveServer:
    """The real application under uvicorn, in a thread, on a loopback port chosen by the OS."""

    def __init__(self, build: Callable[[str], FastAPI]) -> None:
        self.sock = free_socket()
        self.port = self.sock.getsockname()[1]
        self.base = f"http://{LOOPBACK}:{self.port}"
        self.app = build(self.base)
        config = uvicorn.Config(self.app, log_level="warning", ws="none", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 120
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the CDS Hooks server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@dataclass
class Service:
    """The live service under test and what the tests need to reach it."""

    base: str
    stub: StubServer
    keys: Keys
    feedback_log: Path
    app_state: dict[str, Any]

    @property
    def hook_url(self) -> str:
        return f"{self.base}/cds-services/crampdx-patient-view"
