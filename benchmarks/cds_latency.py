"""CDS Hooks latency: p50/p99 of the patient-view hook at 1 and 50 concurrent clients.

Run with ``python -m benchmarks.cds_latency``. The service runs in a child process
(uvicorn, one worker, JWT checking on) on a free loopback port; the clients run here
with a bounded number of requests, then the child process is stopped. Every request
carries a complete prefetch (no FHIR server round trip) for a patient with cramps,
potassium 2.3 mmol/L and a thiazide, so the answer holds a red-flag card, the main card
and its workup suggestion.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import sys
import time
import uuid
from typing import Any

LOOPBACK = "127.0.0.1"
ISSUER = "http://127.0.0.1/benchmark-ehr"


def _start_service(jwks: dict[str, Any], engine: str | None, workers: int) -> tuple[Any, str]:
    """Start the service in a child process on a free loopback port; return it and its URL."""
    import os
    import subprocess

    from crampdx.cdshooks import CdsSettings, TrustedIssuer

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port = probe.getsockname()[1]
    base = f"http://{LOOPBACK}:{port}"
    settings = CdsSettings(
        public_base_url=base,
        trusted_issuers=(TrustedIssuer(issuer=ISSUER, jwks=jwks),),
        engine=engine,
    )
    code = (
        "import uvicorn; uvicorn.run('crampdx.cdshooks:app_from_environment', factory=True, "
        f"host={LOOPBACK!r}, port={port}, workers={workers}, log_level='warning', "
        "access_log=False, ws='none', backlog=256)"
    )
    env = {**os.environ, "CRAMPDX_CDS_SETTINGS": settings.model_dump_json()}
    child = subprocess.Popen([sys.executable, "-c", code], env=env, stdin=subprocess.DEVNULL)
    return child, base


def _searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r, "search": {"mode": "match"}} for r in resources],
    }


def _request_body(prefetch_keys: list[str]) -> dict[str, Any]:
    subject = {"reference": "Patient/bench-1"}
    prefetch: dict[str, Any] = dict.fromkeys(prefetch_keys)
    prefetch["patient"] = {
        "resourceType": "Patient",
        "id": "bench-1",
        "gender": "female",
        "birthDate": "1958-04-02",
    }
    prefetch["lab_potassium"] = _searchset(
        {
            "resourceType": "Observation",
            "id": "k1",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "6298-4"}]},
            "subject": subject,
            "effectiveDateTime": "2026-10-30",
            "valueQuantity": {
                "value": 2.3,
                "system": "http://unitsofmeasure.org",
                "code": "mmol/L",
            },
        }
    )
    prefetch["conditions"] = _searchset(
        {
            "resourceType": "Condition",
            "id": "c1",
            "clinicalStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                        "code": "active",
                    }
                ]
            },
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "R25.2"}]},
            "subject": subject,
        }
    )
    prefetch["medications"] = _searchset(
        {
            "resourceType": "MedicationRequest",
            "id": "m1",
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": {
                "coding": [
                    {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "5487"}
                ]
            },
            "subject": subject,
        }
    )
    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/bench", "patientId": "bench-1"},
        "prefetch": prefetch,
    }


async def _run(base: str, key: Any, clients: int, total: int) -> tuple[list[float], int]:
    import httpx
    import jwt

    from crampdx.cdshooks import PREFETCH

    url = f"{base}/cds-services/crampdx-patient-view"
    body = json.dumps(_request_body(list(PREFETCH))).encode()
    latencies: list[float] = []
    failures = 0
    per_client = total // clients

    def token() -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": url, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
        return jwt.encode(claims, key, algorithm="RS384", headers={"kid": "bench"})

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60.0, limits=limits, trust_env=False) as http:

        async def client() -> None:
            nonlocal failures
            for _ in range(per_client):
                headers = {"Authorization": f"Bearer {token()}", "Content-Type": "application/json"}
                started = time.perf_counter()
                response = await http.post(url, content=body, headers=headers)
                elapsed = time.perf_counter() - started
                if response.status_code == 200 and response.json()["cards"]:
                    latencies.append(elapsed * 1000)
                else:
                    failures += 1

        await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, failures


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per level")
    parser.add_argument("--engine", default=None, help="rule engine (default: the default)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args(argv)

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.get_algorithm_by_name("RS384").to_jwk(key.public_key()))
    jwk.update({"kid": "bench", "alg": "RS384"})

    started = time.perf_counter()
    child, base = _start_service({"keys": [jwk]}, args.engine, args.workers)
    try:
        _wait_ready(base, deadline=time.monotonic() + 300)
        print(
            f"service ready in {time.perf_counter() - started:.1f} s "
            f"({args.workers} worker(s), knowledge base loaded)"
        )
        asyncio.run(_run(base, key, 4 * args.workers, 8 * args.workers))  # warm every worker
        print(f"{'clients':>7} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>7} fail")
        for clients in (1, 50):
            total = max(clients, args.requests - args.requests % clients)
            begun = time.perf_counter()
            latencies, failures = asyncio.run(_run(base, key, clients, total))
            wall = time.perf_counter() - begun
            print(
                f"{clients:>7} {len(latencies) + failures:>8} "
                f"{statistics.median(latencies):>8.1f} {_percentile(latencies, 0.99):>8.1f} "
                f"{len(latencies) / wall:>7.1f} {failures}"
            )
    finally:
        # Stops the child we started; uvicorn's supervisor stops its own workers on SIGTERM.
        child.terminate()
        child.wait(timeout=30)
    return 0


def _wait_ready(base: str, deadline: float) -> None:
    import httpx

    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/cds-services", timeout=2.0, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the CDS Hooks service did not start in time")


if __name__ == "__main__":
    sys.exit(main())
