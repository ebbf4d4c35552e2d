"""Prefetch templates of the patient-view service, and the FHIR queries that replace a
missing prefetch.

Every analyte gets its own Observation query with the analyte's whole LOINC value set
(serum, plasma and blood; mass and molar codes): a single-code query misses real data,
which often uses the blood codes (interop.md §2.1). When the client leaves a key out,
the service runs the same query against ``fhirServer`` with the ``fhirAuthorization``
token, within one time budget; when it cannot, the hook answers 412.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from crampdx.cdshooks.models import CdsRequest
from crampdx.cdshooks.settings import CdsSettings
from crampdx.fhir import codes as C
from crampdx.record.labs import ANALYTES

__all__ = ["PREFETCH", "PrefetchError", "gather_fhir_data", "render"]

_PATIENT = "{{context.patientId}}"
_LAB_COUNT = 10  # serial values per analyte


def _observation_query(codes: list[tuple[str, str]], count: int) -> str:
    joined = ",".join(f"{system}|{code}" for system, code in codes)
    return f"Observation?patient={_PATIENT}&code={joined}&_sort=-date&_count={count}"


def _templates() -> dict[str, str]:
    templates = {"patient": f"Patient/{_PATIENT}"}
    for analyte, spec in ANALYTES.items():
        codes = [(C.LOINC, code) for code in spec.loinc]
        templates[f"lab_{analyte.value}"] = _observation_query(codes, _LAB_COUNT)
    findings = [(C.SNOMED, code) for code in C.FINDINGS]
    findings.append((C.LOINC, C.SMOKING_STATUS_CODE))
    templates["findings"] = _observation_query(findings, 100)
    templates["conditions"] = f"Condition?patient={_PATIENT}"
    templates["medications"] = f"MedicationRequest?patient={_PATIENT}&status=active"
    return templates


PREFETCH: dict[str, str] = _templates()


class PrefetchError(Exception):
    """The data the service needs cannot be obtained (the hook answers 412)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def render(template: str, request: CdsRequest) -> str:
    """Fill a template's tokens from the (validated) request context."""
    return template.replace(_PATIENT, request.context.patientId)


@dataclass(frozen=True, slots=True)
class GatheredData:
    """What the service has to read: prefetch values and fetched results."""

    items: tuple[Any, ...]
    fetched: tuple[str, ...]  # keys obtained from the FHIR server


def _usable(value: Any) -> bool:
    # An OperationOutcome in place of a prefetch value means the client could not fetch it.
    return not (isinstance(value, dict) and value.get("resourceType") == "OperationOutcome")


def _allowed_server(url: str, settings: CdsSettings) -> bool:
    if settings.fhir_servers:
        return any(url.rstrip("/").startswith(p.rstrip("/")) for p in settings.fhir_servers)
    return url.startswith("https://")


async def _fetch(
    client: httpx.AsyncClient,
    base: str,
    query: str,
    headers: dict[str, str],
    pages: int,
    limit: asyncio.Semaphore,
) -> list[Any]:
    async with limit:
        return await _fetch_pages(client, base, query, headers, pages)


async def _fetch_pages(
    client: httpx.AsyncClient, base: str, query: str, headers: dict[str, str], pages: int
) -> list[Any]:
    results: list[Any] = []
    origin = urlsplit(base)
    url: str | None = urljoin(f"{base.rstrip('/')}/", query)
    for _ in range(pages):
        if url is None:
            break
        response = await client.get(url, headers=headers, follow_redirects=False)
        if response.status_code == 404 and query.startswith("Patient/"):
            raise PrefetchError("the FHIR server has no such Patient")
        if response.status_code != 200:
            raise PrefetchError(f"the FHIR server answered HTTP {response.status_code}")
        body = response.json()
        results.append(body)
        url = None
        for link in body.get("link", []) if isinstance(body, dict) else []:
            if isinstance(link, dict) and link.get("relation") == "next":
                candidate = str(link.get("url", ""))
                target = urlsplit(candidate)
                # Follow paging only on the same server: never let a response redirect us.
                if (target.scheme, target.netloc) == (origin.scheme, origin.netloc):
                    url = candidate
    return results


async def gather_fhir_data(
    request: CdsRequest, settings: CdsSettings, client: httpx.AsyncClient
) -> GatheredData:
    """The prefetch values, with any missing key fetched from the FHIR server.

    Raises:
        PrefetchError: a key is missing and the FHIR server cannot be queried (none given,
            not allowed, an error, or the time budget ran out).
    """
    prefetch = request.prefetch or {}
    items: list[Any] = []
    missing: list[str] = []
    for key in PREFETCH:
        if key in prefetch and _usable(prefetch[key]):
            if prefetch[key] is not None:  # null: the client found no data for this key
                items.append(prefetch[key])
        else:
            missing.append(key)
    if not missing:
        return GatheredData(tuple(items), ())
    server = request.fhirServer
    if server is None:
        raise PrefetchError(f"prefetch is missing {', '.join(missing)} and no fhirServer was given")
    if not _allowed_server(server, settings):
        raise PrefetchError("the fhirServer is not one this service may query")
    headers = {"Accept": "application/fhir+json"}
    if request.fhirAuthorization is not None:
        headers["Authorization"] = f"Bearer {request.fhirAuthorization.access_token}"
    queries = [render(PREFETCH[key], request) for key in missing]
    limit = asyncio.Semaphore(settings.fhir_max_concurrency)
    pages = settings.fhir_max_pages
    try:
        async with asyncio.timeout(settings.fhir_timeout_seconds):
            fetched = await asyncio.gather(
                *(_fetch(client, server, q, headers, pages, limit) for q in queries)
            )
    except TimeoutError as error:
        raise PrefetchError("the FHIR server did not answer in time") from error
    except httpx.HTTPError as error:
        raise PrefetchError(
            f"the FHIR server could not be reached ({type(error).__name__})"
        ) from error
    except ValueError as error:
        raise PrefetchError("the FHIR server answered with invalid JSON") from error
    for results in fetched:
        items.extend(results)
    return GatheredData(tuple(items), tuple(missing))
