"""Pasted and uploaded recipients: each entry recognised, each bad line named and explained."""

from __future__ import annotations

from operations.recipients import Recipient, merge, parse_csv, parse_text

PARTY = "pty_" + "4a8c9823f39c42a5b817556766551112"


def test_lines_and_commas_are_recognised_by_kind():
    parsed = parse_text(f"ops@example.com, +14155550123\n{PARTY}\n\n")
    assert parsed.recipients == [
        Recipient("email", "ops@example.com"),
        Recipient("phone", "+14155550123"),
        Recipient("party_id", PARTY),
    ]
    assert parsed.counts == {"email": 1, "phone": 1, "party_id": 1}
    assert parsed.problems == []


def test_phone_punctuation_is_removed():
    assert parse_text("+1 (415) 555-0123").recipients == [Recipient("phone", "+14155550123")]


def test_duplicates_are_removed_and_counted_emails_ignoring_case():
    parsed = parse_text("a@example.com\nA@Example.com\n+14155550123, +14155550123")
    assert [r.value for r in parsed.recipients] == ["a@example.com", "+14155550123"]
    assert parsed.duplicates == 2


def test_a_bad_email_names_its_line():
    problems = [str(p) for p in parse_text("ok@example.com\n\nbob@").problems]
    assert problems == ['Line 3: "bob@" is not a valid email address.']


def test_a_phone_without_country_code_says_e164():
    (problem,) = parse_text("4155550123").problems
    assert str(problem).startswith('Line 1: "4155550123" is not a phone number in E.164 form')


def test_a_malformed_party_id_says_what_a_party_id_looks_like():
    (problem,) = parse_text("pty_123").problems
    assert str(problem) == (
        'Line 1: "pty_123" is not a party id: expected pty_ and 32 lowercase hex characters.'
    )


def test_anything_else_lists_the_three_accepted_kinds():
    (problem,) = parse_text("a@b.co\nbob smith").problems
    assert str(problem) == (
        'Line 2: "bob smith" is not an email address, a phone in +E.164 form, or a pty_ party id.'
    )


def test_every_bad_entry_gets_its_own_message():
    parsed = parse_text("bob@, 123\nnobody")
    assert [(p.line, p.message.split(" ")[0]) for p in parsed.problems] == [
        (1, '"bob@"'),
        (1, '"123"'),
        (2, '"nobody"'),
    ]


def test_long_values_are_shortened_in_messages():
    (problem,) = parse_text("x" * 500).problems
    assert len(str(problem)) < 200


def test_csv_skips_a_header_row_and_names_csv_lines():
    data = b"email,phone\r\na@example.com,+14155550123\r\nbroken@,\r\n"
    parsed = parse_csv(data)
    assert [r.value for r in parsed.recipients] == ["a@example.com", "+14155550123"]
    assert [str(p) for p in parsed.problems] == [
        'CSV line 3: "broken@" is not a valid email address.'
    ]


def test_pasted_and_uploaded_are_deduplicated_together():
    merged = merge(parse_text("a@example.com"), parse_csv(b"A@example.com\nb@example.com\n"))
    assert [r.value for r in merged.recipients] == ["a@example.com", "b@example.com"]
    assert merged.duplicates == 1
