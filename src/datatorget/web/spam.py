"""Spam defences of the forms people may send without an account (a data request with an email address,
signing up, a report), without any third-party service:

- a honeypot: a text field people never see or reach (off-screen, `aria-hidden`, `tabindex="-1"`, no
  autofill) that must stay empty; scripts that fill in every field fill it in too;
- a minimum time: the form carries the moment it was shown, signed with the secret key, and one sent back
  sooner than `form_min_seconds` later (or without the moment, or with one forged or older than a day) is
  refused: people take longer than that to fill a form in, scripts do not.

A refused form is shown again with a message that says what to do, and nothing is stored.
"""

from __future__ import annotations

import time

from itsdangerous import BadSignature, Signer
from starlette.datastructures import FormData

from datatorget.config import Settings

HONEYPOT = "website"  # a name form-filling scripts cannot resist
STAMP = "form_shown"
MAX_AGE_S = 24 * 3600
_SALT = "datatorget.form-shown"


def _signer(settings: Settings) -> Signer:
    return Signer(settings.signing_key(), salt=_SALT)


def stamp(settings: Settings) -> str:
    """The signed moment the form is shown, for its hidden field."""
    return _signer(settings).sign(f"{time.time():.3f}").decode()


def refusal(form: FormData, settings: Settings) -> str | None:
    """Why the form looks sent by a script rather than a person, as a message key; None when it does not."""
    if str(form.get(HONEYPOT) or ""):
        return "spam.refused"
    try:
        shown = float(_signer(settings).unsign(str(form.get(STAMP) or "")).decode())
    except (BadSignature, ValueError):
        return "spam.refused"
    elapsed = time.time() - shown
    if elapsed > MAX_AGE_S:
        return "spam.refused"
    if elapsed < settings.form_min_seconds:
        return "spam.too_fast"
    return None
