"""Domain errors of the store. The API maps each to one HTTP status in ``api/errors.py``.

DomainError
├── AuthenticationFailed — no valid key (401)
├── Forbidden           — a valid key whose role may not do this at all (403)
├── NotFound            — no such profile (404)
│   └── Archived        — deleted while referred to: kept, but only for include_archived=true
├── Conflict            — a natural key is taken (409), names the existing record
│   └── StageClosed     — a pipeline pair already at 落地 or 终止 (409)
├── InvalidReference    — a field names something unknown or ambiguous (422)
├── UnreadableFile      — an import file that cannot be read at all (422)
└── PlanInfeasible      — no plan can satisfy the request; the message says why (422)
"""

from typing import Any


class DomainError(Exception):
    """Base of every error the store raises on purpose."""


class AuthenticationFailed(DomainError):
    """No valid key (401)."""


class Forbidden(DomainError):
    """A valid key whose role may not do this at all (403)."""


class NotFound(DomainError):
    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} '{key}' not found")
        self.kind = kind
        self.key = key


class Archived(NotFound):
    def __init__(self, kind: str, key: object) -> None:
        DomainError.__init__(
            self, f"{kind} '{key}' was deleted (archived); ask with include_archived=true"
        )
        self.kind = kind
        self.key = key


class Conflict(DomainError):
    def __init__(self, kind: str, fields: dict[str, Any], existing: object) -> None:
        described = ", ".join(f"{k}={v!r}" for k, v in fields.items())
        super().__init__(f"{kind} with {described} already exists (id {existing})")
        self.kind = kind
        self.fields = fields
        self.existing = existing


class StageClosed(Conflict):
    """A pipeline pair at 落地 or 终止: it moves no further (409)."""

    def __init__(self, entry_id: object, stage: object) -> None:
        DomainError.__init__(
            self, f"pipeline entry {entry_id} is closed at stage '{stage}': it moves no further"
        )
        self.kind = "pipeline entry"
        self.fields = {"stage": str(stage)}
        self.existing = entry_id


class InvalidReference(DomainError):
    def __init__(
        self, field: str, value: object, reason: str, candidates: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason
        self.candidates = candidates or []


class PlanInfeasible(DomainError):
    """A plan request that no plan can satisfy (422, with the reason)."""


class UnreadableFile(DomainError):
    """An import file that is not CSV or JSON text of the expected shape (422)."""
