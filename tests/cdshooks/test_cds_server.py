"""The CDS Hooks service over real HTTP: discovery, the hook with and without prefetch,
feedback, error handling, and the cards checked against the CDS Hooks 2.0 rules."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from cds_helpers import MAX_BODY, Chart, Service, claims, hook_request, sign

from crampdx.cdshooks import PREFETCH

SERVICE = "crampdx-patient-view"


def _auth(service: Service, url: str) -> dict[str, str]:
    token = sign(claims(url), service.keys.rsa, "RS384", kid="rsa-a")
    return {"Authorization": f"Bearer {token}"}


def _post(
    http: httpx.Client, service: Service, body: Any, url: str | None = None
) -> httpx.Response:
    target = url or service.hook_url
    audience = target
    return http.post(target, json=body, headers=_auth(service, audience))


def _check_outcome(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["severity"] == "error"
    return body


def _check_card_rules(card: dict[str, Any]) -> None:
    """The CDS Hooks 2.0 card rules."""
    assert isinstance(card["summary"], str)
    assert 0 < len(card["summary"]) < 140
    assert card["indicator"] in ("info", "warning", "critical")
    assert card["source"]["label"]
    assert card["uuid"]
    if card.get("suggestions"):
        assert card["selectionBehavior"] in ("at-most-one", "any")
        for suggestion in card["suggestions"]:
            assert suggestion["label"]
            assert suggestion["uuid"]
            for action in suggestion["actions"]:
                assert action["type"] in ("create", "update", "delete")
                assert action["description"]
    for reason in card.get("overrideReasons", []):
        assert reason["code"]
        assert reason["display"]


def test_discovery_lists_the_patient_view_service(http: httpx.Client, service: Service) -> None:
    response = http.get(f"{service.base}/cds-services")
    assert response.status_code == 200
    (entry,) = response.json()["services"]
    assert (entry["hook"], entry["id"]) == ("patient-view", SERVICE)
    assert entry["description"]
    assert entry["title"]
    prefetch = entry["prefetch"]
    assert prefetch["patient"] == "Patient/{{context.patientId}}"
    assert prefetch["medications"] == (
        "MedicationRequest?patient={{context.patientId}}&status=active"
    )
    assert prefetch["conditions"] == "Condition?patient={{context.patientId}}"
    # One query per analyte, with the whole value set (serum and blood codes).
    assert "http://loinc.org|2823-3" in prefetch["lab_potassium"]
    assert "http://loinc.org|6298-4" in prefetch["lab_potassium"]


def test_hook_with_prefetch_returns_cards_that_follow_the_spec(
    http: httpx.Client, service: Service
) -> None:
    before = len(service.stub.requests)
    response = _post(http, service, hook_request(prefetch=Chart().prefetch(PREFETCH)))
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    for card in cards:
        _check_card_rules(card)
    assert len({card["uuid"] for card in cards}) == len(cards)
    assert len(service.stub.requests) == before, "a complete prefetch needs no FHIR query"

    flags = [c for c in cards if c["summary"].startswith("Red flag")]
    assert flags, "potassium 2.3 mmol/L is a red flag"
    assert all(card["indicator"] == "critical" for card in flags)
    (main,) = [c for c in cards if not c["summary"].startswith("Red flag")]
    assert main["indicator"] == "critical"  # the assessment's urgency is EMERG
    assert "Not a diagnosis" in main["detail"]
    assert "| # | Cause |" in main["detail"]
    assert "Hypokalaemia" in main["detail"]

    (suggestion,) = main["suggestions"]
    from fhir.resources.R4B.servicerequest import ServiceRequest

    for action in suggestion["actions"]:
        assert action["type"] == "create"
        request = ServiceRequest.model_validate(action["resource"])
        assert (request.status, request.intent) == ("draft", "proposal")
        assert request.subject.reference == "Patient/p1"


def test_hook_without_prefetch_queries_the_fhir_server(
    http: httpx.Client, service: Service
) -> None:
    with_prefetch = _post(http, service, hook_request(prefetch=Chart().prefetch(PREFETCH)))
    before = len(service.stub.requests)
    body = hook_request(prefetch=None, fhir_server=f"{service.stub.base}/fhir")
    fetched = _post(http, service, body)
    assert fetched.status_code == 200, fetched.text
    summaries = sorted(card["summary"] for card in fetched.json()["cards"])
    assert summaries == sorted(card["summary"] for card in with_prefetch.json()["cards"])
    requests = service.stub.requests[before:]
    assert len(requests) == len(PREFETCH)
    assert {auth for _, auth in requests} == {"Bearer fhir-token-123"}
    assert any(path == "/fhir/Patient/p1" for path, _ in requests)


def test_partial_prefetch_fetches_only_the_missing_keys(
    http: httpx.Client, service: Service
) -> None:
    prefetch = Chart().prefetch(PREFETCH)
    del prefetch["conditions"]
    before = len(service.stub.requests)
    body = hook_request(prefetch=prefetch, fhir_server=f"{service.stub.base}/fhir")
    response = _post(http, service, body)
    assert response.status_code == 200
    ((path, _),) = service.stub.requests[before:]
    assert path.startswith("/fhir/Condition?patient=p1")


def test_missing_prefetch_without_a_fhir_server_is_412(
    http: httpx.Client, service: Service
) -> None:
    body = _check_outcome(_post(http, service, hook_request(prefetch=None)), 412)
    assert "fhirServer" in body["issue"][0]["diagnostics"]


def test_fhir_server_that_is_not_allow_listed_is_412(http: httpx.Client, service: Service) -> None:
    body = hook_request(prefetch=None, fhir_server="http://127.0.0.1:9/fhir")
    _check_outcome(_post(http, service, body), 412)


def test_slow_fhir_server_is_412_within_the_time_budget(
    http: httpx.Client, service: Service
) -> None:
    body = hook_request(prefetch=None, fhir_server=f"{service.stub.base}/slow-fhir")
    outcome = _check_outcome(_post(http, service, body), 412)
    assert "in time" in outcome["issue"][0]["diagnostics"]


def test_no_cards_when_no_cramps_and_no_red_flag(http: httpx.Client, service: Service) -> None:
    chart = Chart(k=4.2, cramps=False, on_thiazide=False)
    response = _post(http, service, hook_request(prefetch=chart.prefetch(PREFETCH)))
    assert response.status_code == 200
    assert response.json() == {"cards": []}


def test_feedback_is_recorded_in_memory_and_in_the_audit_file(
    http: httpx.Client, service: Service
) -> None:
    hook = _post(http, service, hook_request(prefetch=Chart().prefetch(PREFETCH)))
    card = hook.json()["cards"][-1]
    feedback = {
        "feedback": [
            {
                "card": card["uuid"],
                "outcome": "overridden",
                "overrideReason": {
                    "reason": card["overrideReasons"][0],
                    "userComment": "free text that may name the patient",
                },
                "outcomeTimestamp": "2026-11-01T10:00:00Z",
            },
            {
                "card": card["uuid"],
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": card["suggestions"][0]["uuid"]}],
                "outcomeTimestamp": "2026-11-01T10:01:00Z",
            },
        ]
    }
    url = f"{service.hook_url}/feedback"
    response = http.post(url, json=feedback, headers=_auth(service, url))
    assert response.status_code == 200, response.text
    store = service.app_state["s"].feedback  # type: ignore[attr-defined]
    records = [r for r in store.records() if r["card"] == card["uuid"]]
    assert [r["outcome"] for r in records] == ["overridden", "accepted"]
    assert all(r["card_known"] for r in records)
    assert records[0]["override_reason"]["code"] == card["overrideReasons"][0]["code"]
    assert records[0]["has_comment"] is True
    lines = [json.loads(line) for line in service.feedback_log.read_text().splitlines()]
    written = [line for line in lines if line["card"] == card["uuid"]]
    assert len(written) == 2
    assert "free text" not in service.feedback_log.read_text()


# --- malformed input: 4xx with an OperationOutcome, never a 500 --------------------------------


def test_invalid_json_is_400(http: httpx.Client, service: Service) -> None:
    response = http.post(
        service.hook_url,
        content=b"{not json",
        headers={**_auth(service, service.hook_url), "Content-Type": "application/json"},
    )
    _check_outcome(response, 400)


@pytest.mark.parametrize(
    "body",
    [
        {"hook": "patient-view"},
        {"hook": "patient-view", "hookInstance": "x", "context": {"userId": "u"}},
        {
            "hook": "patient-view",
            "hookInstance": "x",
            "context": {"userId": "u", "patientId": "../Patient/evil"},
        },
        [1, 2, 3],
        "text",
    ],
)
def test_request_of_the_wrong_shape_is_400(http: httpx.Client, service: Service, body: Any) -> None:
    _check_outcome(_post(http, service, body), 400)


def test_other_hooks_are_400(http: httpx.Client, service: Service) -> None:
    body = hook_request(prefetch=Chart().prefetch(PREFETCH))
    body["hook"] = "order-sign"
    _check_outcome(_post(http, service, body), 400)


def test_prefetch_for_another_patient_is_refused(http: httpx.Client, service: Service) -> None:
    body = hook_request(prefetch=Chart(patient_id="p2").prefetch(PREFETCH), patient_id="p1")
    response = _post(http, service, body)
    assert 400 <= response.status_code < 500
    assert response.json()["resourceType"] == "OperationOutcome"


def test_unknown_service_is_404(http: httpx.Client, service: Service) -> None:
    url = f"{service.base}/cds-services/nope"
    _check_outcome(_post(http, service, hook_request(prefetch=None), url=url), 404)


def test_wrong_method_is_405(http: httpx.Client, service: Service) -> None:
    _check_outcome(http.get(service.hook_url), 405)


def test_oversized_body_is_413(http: httpx.Client, service: Service) -> None:
    body = hook_request(prefetch={"patient": {"resourceType": "Patient", "x": "a" * MAX_BODY}})
    _check_outcome(_post(http, service, body), 413)


def test_oversized_chunked_body_is_413(http: httpx.Client, service: Service) -> None:
    def chunks() -> Any:
        for _ in range(20):
            yield b" " * 10_000

    response = http.post(
        service.hook_url, content=chunks(), headers=_auth(service, service.hook_url)
    )
    _check_outcome(response, 413)


def test_malformed_feedback_is_400(http: httpx.Client, service: Service) -> None:
    url = f"{service.hook_url}/feedback"
    response = http.post(
        url, json={"feedback": [{"card": "x", "outcome": "maybe"}]}, headers=_auth(service, url)
    )
    _check_outcome(response, 400)
