"""Who may do what: API keys, principals, scopes, object ownership and private fields.

Keys look like ``cpk_<prefix>_<secret>``. Only a SHA-256 hash is stored; the prefix finds the
row, and the hash is compared in constant time. A key acts for a *principal* (a name), which
owns what the key creates, so a rotated key keeps its principal's objects.

    admin       everything
    office      the profiles, needs, zones and pairings of its scopes (provinces, cities, counties)
    enterprise  its own enterprise profiles
    university  its own university, its experts
    viewer      reads only

Opportunities (合作机会) are posted by any writer and edited by their owner alone (and admins):
an office posts only in its scopes, but does not edit what others posted there.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from matching.vocabulary import Role
from profiles.errors import AuthenticationFailed, InvalidReference, NotFound
from profiles.models import (
    ApiKey,
    City,
    Enterprise,
    Expert,
    Opportunity,
    Pairing,
    TalentNeed,
    University,
    Zone,
    utcnow,
)
from profiles.versions import Versioned

KEY_TAG = "cpk"
PRIVATE_FIELDS: dict[type, tuple[str, ...]] = {
    Enterprise: ("needs_resources", "land_mu", "workers", "energy_intensity", "contact"),
    Expert: ("contact", "available_from", "available_months"),
    Opportunity: ("contact",),
    Zone: ("contact",),
}
POSTED: frozenset[type] = frozenset({Opportunity})  # owned by whoever posted them, any role
OWNER_ROLES: dict[type, Role] = {
    Enterprise: Role.enterprise,
    University: Role.university,
    Expert: Role.university,
}


@dataclass(frozen=True)
class Principal:
    id: str
    role: Role
    scopes: frozenset[str] = frozenset()
    key_id: int | None = None

    def covers(self, adcode: str | None) -> bool:
        """Whether an office's scope includes the division ``adcode`` (a province covers its cities)."""
        if self.role == Role.admin:
            return True
        if not adcode:
            return False
        for scope in self.scopes:
            stem = (
                scope[:2]
                if scope.endswith("0000")
                else scope[:4]
                if scope.endswith("00")
                else scope
            )
            if adcode.startswith(stem):
                return True
        return False


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    session: Session, *, principal: str, role: Role, scopes: list[str] = (), days: int | None = 365
) -> tuple[ApiKey, str]:
    """A new key for ``principal``; the key itself is returned once and never stored."""
    for scope in scopes:
        if session.get(City, scope) is None:
            raise InvalidReference("scope", scope, f"unknown adcode '{scope}'")
    prefix = secrets.token_hex(6)
    key = f"{KEY_TAG}_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        prefix=prefix,
        hash=_hash(key),
        principal=principal,
        role=role,
        scopes=list(scopes),
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    session.add(row)
    session.flush()
    return row, key


def key_prefix(key: str) -> str | None:
    """The ``<prefix>`` of a well-formed ``cpk_<prefix>_<secret>`` key, else None."""
    parts = key.split("_", 2)  # the secret itself may contain "_"
    return parts[1] if len(parts) == 3 and parts[0] == KEY_TAG else None


def authenticate(session: Session, key: str) -> Principal:
    """The principal a presented key acts for, or ``AuthenticationFailed``."""
    return _valid(_verified(session, key))


def _verified(session: Session, key: str) -> ApiKey:
    prefix = key_prefix(key)
    if prefix is None:
        raise AuthenticationFailed("not a Counterpart API key")
    row = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if row is None or not hmac.compare_digest(row.hash, _hash(key)):
        raise AuthenticationFailed("unknown API key")
    return row


def keys_stamp(session: Session) -> tuple[Any, ...]:
    """Changes when a key is created, revoked or deleted."""
    latest = select(func.count(), func.max(ApiKey.created_at), func.max(ApiKey.revoked_at))
    return tuple(session.exec(latest).one())


class VerifiedKeys:
    """Keys verified since the key table last changed, so that a request with a known key
    needs no query. The table's stamp is checked as ``Versioned`` does: a key revoked on
    another host stops working here within ``check_seconds``, on this host at once. Expiry is
    checked on every use; only keys that verified are kept."""

    def __init__(self, check_seconds: float) -> None:
        self._known: Versioned[dict[str, ApiKey]] = Versioned(
            keys_stamp, lambda _: {}, check_seconds, tables=(ApiKey,)
        )

    def cached(self, key: str) -> Principal | None:
        """The principal of a key verified under the current stamp (no query), else None."""
        known = self._known.fresh()
        row = known.get(key) if known is not None else None
        return _valid(row) if row is not None else None

    def authenticate(self, session: Session, key: str) -> Principal:
        """``authenticate``, keeping the key's record once it verifies."""
        known = self._known.get(session)
        row = known.get(key)
        if row is None:
            row = known[key] = ApiKey.model_validate(_verified(session, key))  # detached copy
        return _valid(row)


def principal_of_key(session: Session, key_id: int) -> Principal:
    """The principal of an already-verified key (a console session), re-checked for revocation
    and expiry on every use."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise AuthenticationFailed("unknown API key")
    return _valid(row)


def _valid(row: ApiKey) -> Principal:
    if row.revoked_at is not None:
        raise AuthenticationFailed("this API key was revoked")
    if row.expires_at is not None and _aware(row.expires_at) < datetime.now(UTC):
        raise AuthenticationFailed("this API key has expired")
    return Principal(row.principal, Role(row.role), frozenset(row.scopes), row.id)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def list_keys(session: Session) -> list[ApiKey]:
    """Every key's record (never the key itself), oldest first."""
    return list(session.exec(select(ApiKey).order_by(ApiKey.id)).all())  # type: ignore[arg-type]


def revoke_key(session: Session, *, key_id: int) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound("api key", key_id)
    row.revoked_at = row.revoked_at or utcnow()
    session.add(row)
    session.flush()
    return row


def rotate_key(session: Session, *, key_id: int) -> tuple[ApiKey, str]:
    """Revoke a key and issue its successor for the same principal, role and scopes."""
    old = revoke_key(session, key_id=key_id)
    days = (
        None
        if old.expires_at is None
        else max(1, (_aware(old.expires_at) - datetime.now(UTC)).days)
    )
    return create_key(
        session, principal=old.principal, role=Role(old.role), scopes=list(old.scopes), days=days
    )


# ---------------------------------------------------------------- object checks
def cities_of(row: Any) -> list[str | None]:
    """The divisions an object belongs to, for office scopes."""
    if isinstance(row, City):
        return [row.adcode]
    if isinstance(row, Enterprise):
        return [row.hq_city]
    if isinstance(row, University | Expert | TalentNeed | Opportunity | Zone):
        return [row.city]
    if isinstance(row, Pairing):
        return [row.base_city, row.partner_city]
    return []


def may_edit(principal: Principal | None, row: Any) -> bool:
    """Whether ``principal`` may change ``row`` (and see its private fields)."""
    if principal is None:
        return False
    if principal.role == Role.admin:
        return True
    if type(row) in POSTED:
        return row.owner is not None and row.owner == principal.id
    if principal.role == Role.office:
        return any(principal.covers(adcode) for adcode in cities_of(row))
    owner_role = OWNER_ROLES.get(type(row))
    return owner_role == principal.role and getattr(row, "owner", None) == principal.id


def may_create(principal: Principal, table: type, values: dict[str, Any]) -> bool:
    """Whether ``principal`` may create a row of ``table`` with these (resolved) values."""
    if principal.role == Role.admin:
        return True
    if table in POSTED and principal.role != Role.office:
        return True
    if principal.role == Role.office:
        probe = table.model_construct(**values)
        return any(principal.covers(adcode) for adcode in cities_of(probe))
    if (
        principal.role == Role.university
        and table is Expert
        and values.get("university_id") is not None
    ):
        return False  # a university names its experts' university through ownership, not an id
    return OWNER_ROLES.get(table) == principal.role


def owner_for(principal: Principal, table: type | None = None) -> str | None:
    """Who owns what ``principal`` creates: enterprises and universities own their rows, and
    every poster owns the opportunities it posts."""
    if table in POSTED or principal.role in set(OWNER_ROLES.values()):
        return principal.id
    return None


def row_permit(principal: Principal, table: type) -> Callable[[dict[str, Any], Any], bool]:
    """For imports: may ``principal`` write this row (a new one, or over ``existing``)?"""
    return lambda values, existing: (
        may_edit(principal, existing)
        if existing is not None
        else may_create(principal, table, values)
    )


def editable(principal: Principal | None, row: Any, kind: str, key: object) -> Any:
    """``row`` if ``principal`` may change it; otherwise NotFound, so ids cannot be probed."""
    if not may_edit(principal, row):
        raise NotFound(kind, key)
    return row


def redact(principal: Principal | None, row: Any, public: Any) -> Any:
    """The public shape of ``row``, with its private fields emptied for those not entitled."""
    hidden = PRIVATE_FIELDS.get(type(row))
    if not hidden or may_edit(principal, row):
        return public
    empty = {f: [] if isinstance(getattr(public, f), list) else None for f in hidden}
    return public.model_copy(update=empty)
