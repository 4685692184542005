"""Keep personal data out of the knowledge-gap report: contact details and known names are masked.

The report shows questions, never who asked them.  A question may still carry
personal data in its own words ("Ik ben An Peeters, mail me op an@vzw.be"):
e-mail addresses, phone numbers and bank account numbers are masked in every
question, and the requester's own name and organisation (known for triage
requests) wherever they appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["redact"]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Belgian/Dutch phone numbers in their usual spellings: +32 9 123 45 67, 0470/12.34.56, 09-123 45 67 ...
_PHONE = re.compile(r"(?<![\w/])(?:\+|00)?\d{2,4}(?:[ ./-]?\d{2,4}){2,4}(?![\w/])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}\b")
_MIN_NAME = 3


def redact(text: str, known: Iterable[str | None] = ()) -> str:
    """``text`` with e-mail addresses, phone and account numbers and the ``known`` names masked."""
    out = _EMAIL.sub("[e-mail]", text)
    out = _IBAN.sub("[rekeningnummer]", out)
    out = _PHONE.sub(_phone_or_number, out)
    for name in sorted({n.strip() for n in known if n and len(n.strip()) >= _MIN_NAME}, key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "[naam]", out, flags=re.IGNORECASE)
        # A first or last name on its own ("An", "Peeters") of a known full name.
        for part in name.split():
            if len(part) >= _MIN_NAME and part[:1].isupper():
                out = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", "[naam]", out)
    return out


def _phone_or_number(match: re.Match[str]) -> str:
    """Years and amounts stay ("2023", "1.541", "12 500 euro"); 9+ digits read as a phone number."""
    digits = re.sub(r"\D", "", match.group(0))
    return "[telefoon]" if len(digits) >= 9 else match.group(0)
