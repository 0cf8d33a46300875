"""The problem details bodies (RFC 9457) every API error has."""

from __future__ import annotations

from typing import Any

# The reason phrases of RFC 9110, whatever Python's http module calls them.
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
}


def problem(status: int, detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": TITLES[status],
        "status": status,
        "detail": detail,
        "errors": errors or {},
    }


INVALID_FIELDS = "the request has invalid fields"
NOT_LOGGED_IN = problem(401, "log in or send an API token to do this")
NOT_YOUR_ORGANIZATION = problem(403, "you may only change your own organisation and its datasets")
ADMINS_ONLY = problem(403, "only an administrator may do this")
