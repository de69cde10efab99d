"""Recipients pasted or uploaded by an admin: emails, E.164 phones and `pty_` party ids.

Each problem names the line it came from and says what is wrong; duplicates are dropped
(emails compared case-insensitively) and counted. Nothing is repaired on the way: bytes that
are not UTF-8 and characters nobody can see are refused, never replaced and sent.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from natural.ids import is_id

EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")
PHONE = re.compile(r"^\+[1-9]\d{6,14}$", re.ASCII)
PHONE_PUNCTUATION = re.compile(r"[\s().-]")
MAX_EMAIL_LENGTH = 254
SHOWN_VALUE_LENGTH = 60
CSV_HEADER_WORDS = {"email", "emails", "phone", "party", "party_id", "recipient", "recipients"}

TYPE_LABELS = {"email": "Emails", "phone": "Phones", "party_id": "Party ids"}
# Controls (NUL included), format characters (bidi embeddings, overrides and isolates,
# zero-width characters, BOM), private-use, surrogates and unassigned code points, line and
# paragraph separators: each changes how a value reads or compares without being seen.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
# Appears only where bytes were already lost in some earlier decoding.
REPLACEMENT_CHARACTER = "\ufffd"
LINE_BREAK = re.compile(r"\r\n|\r|\n")


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


def is_hidden(char: str) -> bool:
    return char == REPLACEMENT_CHARACTER or unicodedata.category(char) in HIDDEN_CATEGORIES


def visible(raw: str) -> str:
    """`raw` with every hidden character spelled out, e.g. `<U+202E>`."""
    return "".join(f"<U+{ord(char):04X}>" if is_hidden(char) else char for char in raw)


def hidden_character_problem(raw: str) -> str | None:
    """What is wrong with a value holding a character nobody can see, or None."""
    char = next((char for char in raw if is_hidden(char)), None)
    if char is None:
        return None
    name = unicodedata.name(char, "a control character")
    return (
        f'"{_shown(visible(raw))}" contains an invisible or control character '
        f"(U+{ord(char):04X} {name}). Type the recipient again without it."
    )


def recognise(raw: str) -> Recipient | str:
    """The recipient `raw` names, or what is wrong with it."""
    hidden = hidden_character_problem(raw)
    if hidden:
        return hidden
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
    if compact[:1] == "+" or (compact.isascii() and compact.isdigit()):
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
        for number, line in enumerate(LINE_BREAK.split(text), start=1)
        for piece in re.split(r"[,;]", line)
    ]
    return _collect(entries)


def parse_csv(data: bytes) -> ParsedRecipients:
    """Every non-empty cell of a CSV file held in memory (see parse_csv_lines)."""
    return parse_csv_lines(io.BytesIO(data))


def parse_csv_lines(lines: Iterable[bytes], *, max_field: int = 0) -> ParsedRecipients:
    """Every non-empty cell of a CSV file read line by line, so a 100,000-line upload is never
    held whole: a header row of column names is skipped, lines that are not UTF-8 are refused
    by number, and a cell may be as long as `max_field` (default: the csv module's own)."""
    problems: list[LineProblem] = []
    if max_field:
        csv.field_size_limit(max(csv.field_size_limit(), max_field + 1))
    reader = csv.reader(_decoded(lines, problems))
    parsed = ParsedRecipients()
    seen: set[tuple[str, str]] = set()
    first_line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(LineProblem(first_line, f"could not be read as CSV ({error}).", CSV))
            break
        cells = [cell.strip() for cell in row if cell.strip()]
        header = first_line == 1 and all(c.lower() in CSV_HEADER_WORDS for c in cells)
        if cells and not header:
            for cell in cells:
                _take(parsed, seen, first_line, cell, CSV)
        first_line = reader.line_num + 1
    parsed.problems = sorted([*problems, *parsed.problems], key=lambda problem: problem.line)
    return parsed


CSV = "CSV line"


def _decoded(lines: Iterable[bytes], problems: list[LineProblem]) -> Iterator[str]:
    """The lines as text, each one that is not UTF-8 left empty and named in a problem."""
    for number, line in enumerate(lines, start=1):
        if number == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(
                LineProblem(
                    number,
                    f"is not UTF-8 text (byte 0x{line[error.start]:02X} at position "
                    f"{error.start + 1}). Save the file as UTF-8 and upload it again.",
                    CSV,
                )
            )
            yield "\n" if line.endswith(b"\n") else ""


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
        _take(parsed, seen, number, piece, source)
    return parsed


def _take(parsed: ParsedRecipients, seen: set, number: int, piece: str, source: str) -> None:
    raw = piece.strip().strip('"').strip()
    if not raw:
        return
    found = recognise(raw)
    if isinstance(found, str):
        parsed.problems.append(LineProblem(number, found, source))
    elif found.identity in seen:
        parsed.duplicates += 1
    else:
        seen.add(found.identity)
        parsed.recipients.append(found)


def _shown(raw: str) -> str:
    if len(raw) <= SHOWN_VALUE_LENGTH:
        return raw
    return raw[: SHOWN_VALUE_LENGTH - 1] + "…"
