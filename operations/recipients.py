"""Recipients pasted or uploaded by an admin: emails, E.164 phones and `pty_` party ids.

Each problem names the line it came from and says what is wrong; duplicates are dropped
(emails compared case-insensitively) and counted.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from delegations.ids import is_id

EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
PHONE_PUNCTUATION = re.compile(r"[\s().-]")
MAX_EMAIL_LENGTH = 254
SHOWN_VALUE_LENGTH = 60
CSV_HEADER_WORDS = {"email", "emails", "phone", "party", "party_id", "recipient", "recipients"}

TYPE_LABELS = {"email": "Emails", "phone": "Phones", "party_id": "Party ids"}


@dataclass(frozen=True)
class Recipient:
    type: str  # "email" | "phone" | "party_id", as the API names them
    value: str

    @property
    def identity(self) -> tuple[str, str]:
        return (self.type, self.value.lower() if self.type == "email" else self.value)


@dataclass(frozen=True)
class LineProblem:
    line: int
    message: str
    source: str = "Line"

    def __str__(self) -> str:
        return f"{self.source} {self.line}: {self.message}"


@dataclass
class ParsedRecipients:
    recipients: list[Recipient] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    duplicates: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return count_by_type(self.recipients)


def count_by_type(recipients: list[Recipient]) -> dict[str, int]:
    counted = Counter(recipient.type for recipient in recipients)
    return {kind: counted.get(kind, 0) for kind in TYPE_LABELS}


def recognise(raw: str) -> Recipient | str:
    """The recipient `raw` names, or what is wrong with it."""
    shown = _shown(raw)
    if raw.lower().startswith("pty_"):
        if is_id("pty", raw):
            return Recipient("party_id", raw)
        return f'"{shown}" is not a party id: expected pty_ and 32 lowercase hex characters.'
    if "@" in raw:
        if len(raw) <= MAX_EMAIL_LENGTH and EMAIL.match(raw):
            return Recipient("email", raw)
        return f'"{shown}" is not a valid email address.'
    compact = PHONE_PUNCTUATION.sub("", raw)
    if compact[:1] == "+" or compact.isdigit():
        if PHONE.match(compact):
            return Recipient("phone", compact)
        return (
            f'"{shown}" is not a phone number in E.164 form '
            "(a + and the country code, e.g. +14155550123)."
        )
    return f'"{shown}" is not an email address, a phone in +E.164 form, or a pty_ party id.'


def parse_text(text: str) -> ParsedRecipients:
    """One recipient per line, or several on a line separated by commas or semicolons."""
    entries = [
        (number, piece)
        for number, line in enumerate(text.splitlines(), start=1)
        for piece in re.split(r"[,;]", line)
    ]
    return _collect(entries)


def parse_csv(data: bytes) -> ParsedRecipients:
    """Every non-empty cell of a CSV file; a header row of column names is skipped."""
    text = data.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    entries = []
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row if cell.strip()]
        if number == 1 and cells and all(c.lower() in CSV_HEADER_WORDS for c in cells):
            continue
        entries.extend((number, cell) for cell in cells)
    return _collect(entries, source="CSV line")


def merge(first: ParsedRecipients, second: ParsedRecipients) -> ParsedRecipients:
    """Pasted and uploaded recipients together, with duplicates across both removed."""
    merged = ParsedRecipients(problems=[*first.problems, *second.problems])
    merged.duplicates = first.duplicates + second.duplicates
    seen: set[tuple[str, str]] = set()
    for recipient in [*first.recipients, *second.recipients]:
        if recipient.identity in seen:
            merged.duplicates += 1
            continue
        seen.add(recipient.identity)
        merged.recipients.append(recipient)
    return merged


def _collect(entries: list[tuple[int, str]], source: str = "Line") -> ParsedRecipients:
    parsed = ParsedRecipients()
    seen: set[tuple[str, str]] = set()
    for number, piece in entries:
        raw = piece.strip().strip('"').strip()
        if not raw:
            continue
        found = recognise(raw)
        if isinstance(found, str):
            parsed.problems.append(LineProblem(number, found, source))
        elif found.identity in seen:
            parsed.duplicates += 1
        else:
            seen.add(found.identity)
            parsed.recipients.append(found)
    return parsed


def _shown(raw: str) -> str:
    if len(raw) <= SHOWN_VALUE_LENGTH:
        return raw
    return raw[: SHOWN_VALUE_LENGTH - 1] + "…"
