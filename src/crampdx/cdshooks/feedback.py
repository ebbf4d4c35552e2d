"""Card feedback, recorded for audit and for tuning the rules.

Each feedback item is kept in memory (the most recent ones) and, when configured,
appended to a JSON Lines file. Free-text override comments may hold patient details, so
only whether a comment was given is recorded, never its text.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import deque
from pathlib import Path
from typing import Any

from crampdx.cdshooks.models import FeedbackItem

__all__ = ["FeedbackStore"]


class FeedbackStore:
    """Feedback records: a bounded in-memory log plus an optional JSONL audit file."""

    def __init__(self, path: Path | None = None, keep: int = 10_000) -> None:
        self.path = path
        self._records: deque[dict[str, Any]] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def record(
        self,
        service_id: str,
        items: tuple[FeedbackItem, ...],
        *,
        issuer: str | None,
        known_cards: set[str],
    ) -> list[dict[str, Any]]:
        """Store feedback items and return the records written."""
        received = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        records = []
        for item in items:
            reason = item.overrideReason.reason if item.overrideReason else None
            records.append(
                {
                    "received": received,
                    "service": service_id,
                    "issuer": issuer,
                    "card": item.card,
                    "card_known": item.card in known_cards,
                    "outcome": item.outcome,
                    "accepted_suggestions": [s.id for s in item.acceptedSuggestions],
                    "override_reason": None
                    if reason is None
                    else {"system": reason.system, "code": reason.code, "display": reason.display},
                    "has_comment": bool(item.overrideReason and item.overrideReason.userComment),
                    "outcome_timestamp": item.outcomeTimestamp,
                }
            )
        with self._lock:
            self._records.extend(records)
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as file:
                    for record in records:
                        file.write(json.dumps(record, sort_keys=True) + "\n")
        return records

    def records(self) -> list[dict[str, Any]]:
        """The feedback kept in memory, oldest first."""
        with self._lock:
            return list(self._records)
