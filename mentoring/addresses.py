"""Email addresses: one rule for the forms, the settings and the messages.

An address is usable when email-validator takes it and the part before the @
is plain ASCII. Intake, the check-in answers, the settings and message building
all ask `address_problem`, so an address the intake takes is one every email
can carry.

- No DNS: `check_deliverability=False`, so the check is pure text work (the
  core does no I/O); a domain that does not exist is the bounce's to tell.
- Internationalised domains (`ana@bücher.de`) are usable. Typed in Unicode or
  as punycode (`ana@xn--bcher-kva.de`) they are one address: the normalised
  form keeps the Unicode domain, which the committee can read, and
  `ascii_email` gives the punycode form that headers and SMTP carry.
- Characters beyond ASCII before the @ (`josé@x.org`) are refused: such an
  address needs SMTPUTF8, which not every server on the way offers.
- Special-use names, which mail never reaches (localhost, .test, .invalid,
  .local, .onion, .arpa), are refused; the example.org/.com/.net names are
  usable (RFC 6761 asks programs not to treat them specially; the demo and the
  tests use them), and so is any other name under a real top-level domain.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from mentoring.sheet import Row, cell


@dataclass(frozen=True)
class _Checked:
    normalized: str  # "" when the validator refused the address
    ascii: str  # "" when there is no ASCII form
    problem: str  # "" when the address is usable


# An address between angle brackets, as "Name <address>" writes it.
_BRACKETED = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>")


def email_at(row: Row, column: int | None) -> str:
    """The address in a row's cell (0-based `column`), in the one form addresses are
    compared in ("" for an empty cell or a column the tab lacks)."""
    return normalise_email(cell(row, column))


def normalise_email(value: object) -> str:
    """The one form an address is compared in across tabs: spaces around it and a `mailto:`
    dropped, lower case, and, when the validator can read it, Unicode normalised (NFC) with
    the domain in Unicode however it was typed. An address in angle brackets is taken from
    the text around it ("Nadia Brooks <nadia@noaa.org> 68 (has a free place)", an
    Alternatives entry pasted whole into Committee Mentor Email). A text that is no address
    comes back lower-cased, so that it can still be named."""
    text = str(value or "").strip().lower().removeprefix("mailto:").strip()
    if bracketed := _BRACKETED.search(text):
        text = bracketed.group(1).removeprefix("mailto:")
    if text.isascii() and "xn--" not in text:
        return text  # the validator changes only Unicode and punycode: this is its form
    return _check(text).normalized or text


def address_problem(email: str) -> str:
    """What makes `email` unusable, in words that follow "is not a usable email address (...)";
    "" when it is usable."""
    return _check(email).problem


def is_email(email: str) -> bool:
    """True when `email` is usable (`address_problem` has nothing to say)."""
    return not _check(email).problem


def ascii_email(email: str) -> str:
    """`email` as headers and the SMTP envelope carry it: an internationalised domain in its
    ASCII (punycode) form. Raises ValueError, saying why, for an address that is not usable."""
    checked = _check(email)
    if checked.problem:
        raise ValueError(checked.problem)
    return checked.ascii


def ascii_domain(domain: str) -> str:
    """`domain` in its ASCII (punycode) form; "" when no usable address could have it."""
    return _check(f"postmaster@{domain}").ascii.rpartition("@")[2]


@functools.lru_cache(maxsize=4096)  # the same few hundred addresses, read from many tabs
def _check(email: str) -> _Checked:
    if '"' in email:  # the validator would read a quoted part and miss the @ after it
        return _Checked("", "", 'it has a quotation mark ("), which is not taken in an address')
    try:
        # Unicode is allowed here and refused below, so that the message can say why.
        valid = validate_email(email, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        return _Checked("", "", _sentences(str(exc)))
    if valid.ascii_email is None:
        beyond = "".join(sorted({c for c in valid.local_part if not c.isascii()}))
        return _Checked(
            valid.normalized,
            "",
            f"it has characters beyond plain ASCII before the @ ({beyond}), which many mail"
            " servers refuse; ask the person for an address without them",
        )
    return _Checked(valid.normalized, valid.ascii_email, "")


def _sentences(text: str) -> str:
    """The validator's sentences as one clause: "An email address cannot end with a period."
    becomes "an email address cannot end with a period"."""
    parts = [part.strip() for part in text.strip().rstrip(".").split(". ") if part.strip()]
    return "; ".join(_lower_first(part) for part in parts)


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
