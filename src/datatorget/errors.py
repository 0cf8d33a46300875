"""Domain exceptions shared by every layer.

DatatorgetError            something the user can fix or must be told about; never a 500
├── NotFound               404: absent, or not visible to the caller
├── NotAuthenticated       401: no valid credentials
├── PermissionDenied       403: known caller, not allowed
├── Conflict               409: clashes with what is stored (a duplicate slug)
├── PayloadTooLarge        413: an upload over the size limit
├── ValidationFailed       422: field-by-field errors
└── TooManyRequests        429: over a rate limit; `retry_after_s` says when to try again
"""

from __future__ import annotations

from typing import ClassVar


class DatatorgetError(Exception):
    """Something the user can fix or must be told about. Never a 500.

    `status` is the HTTP status every front door (the API, the web pages) answers it with.
    """

    status: ClassVar[int] = 400


class NotFound(DatatorgetError):
    status = 404


class NotAuthenticated(DatatorgetError):
    status = 401


class PermissionDenied(DatatorgetError):
    status = 403


class Conflict(DatatorgetError):
    status = 409

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class PayloadTooLarge(DatatorgetError):
    status = 413


class ValidationFailed(DatatorgetError):
    status = 422

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {m}" for field, ms in errors.items() for m in ms))
        self.errors = errors


class TooManyRequests(DatatorgetError):
    """Too many writes in too short a time from one address or account. Every front door answers 429 with a
    `Retry-After` header of `retry_after_s` seconds."""

    status = 429

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, retry_after_s)
