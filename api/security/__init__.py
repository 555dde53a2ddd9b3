"""Security for every request, in three parts behind this short surface:

    policy      who may call each route: ``allow(...)``, the role aliases, the bearer key
    limits      body size, rate and security headers (pure ASGI)
    ratelimit   the shared per-minute counts the limits consult

API keys themselves (their format, hashing, lookup) belong to ``profiles.access``.
"""

from api.security.limits import SECURITY_HEADERS, Limits
from api.security.policy import (
    ALL,
    BEARER,
    WRITERS,
    Admin,
    Office,
    PrincipalDep,
    Reader,
    Writer,
    allow,
    get_principal,
    policy_of,
)
from api.security.ratelimit import RateLimiter

__all__ = [
    "ALL",
    "BEARER",
    "SECURITY_HEADERS",
    "WRITERS",
    "Admin",
    "Limits",
    "Office",
    "PrincipalDep",
    "RateLimiter",
    "Reader",
    "Writer",
    "allow",
    "get_principal",
    "policy_of",
]
