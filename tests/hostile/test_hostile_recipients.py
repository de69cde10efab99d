"""Recipients that would reach Natural changed or unreadable are refused with their line:
control and invisible characters, invalid UTF-8, and CSV fields of any size."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from operations.forms import MAX_CSV_BYTES
from operations.recipients import parse_csv, parse_text
from tests.operations.invite_form import URL, form_data, form_key
from tests.operations.support import upstream_writes

HIDDEN = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\x00",
    "\x1b",
]


@pytest.mark.parametrize("char", HIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_a_hidden_character_in_a_pasted_email_is_refused_with_its_line(char):
    parsed = parse_text(f"ok@example.com\nbad{char}user@example.com")

    assert [r.value for r in parsed.recipients] == ["ok@example.com"]
    (problem,) = parsed.problems
    assert problem.line == 2
    assert f"U+{ord(char):04X}" in str(problem)


@pytest.mark.parametrize("char", HIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_a_hidden_character_in_a_phone_or_party_id_is_refused(char):
    parsed = parse_text(f"+1415555{char}0123\npty_{'a' * 16}{char}{'b' * 16}")

    assert parsed.recipients == []
    assert [p.line for p in parsed.problems] == [1, 2]


def test_digits_of_other_scripts_are_not_a_phone_number():
    parsed = parse_text("+\u0661\u0664\u0661\u0665\u0665\u0665\u0665\u0660\u0661\u0662\u0663")

    assert parsed.recipients == []
    assert len(parsed.problems) == 1


def test_invalid_utf8_in_a_csv_is_refused_with_its_line_never_replaced():
    parsed = parse_csv(b"email\nok@example.com\nbad\xffuser@example.com\nlast@example.com\n")

    assert [r.value for r in parsed.recipients] == ["ok@example.com", "last@example.com"]
    (problem,) = parsed.problems
    assert problem.line == 3
    assert "UTF-8" in str(problem)
    assert "\ufffd" not in str(problem)


def test_a_replacement_character_is_refused_like_any_damage():
    (problem,) = parse_text("bad\ufffduser@example.com").problems

    assert problem.line == 1


def test_a_csv_field_over_the_csv_module_limit_is_a_line_problem():
    huge = "x" * 200_000 + "@example.com"
    parsed = parse_csv(f"ok@example.com\n{huge}\n".encode())

    assert [r.value for r in parsed.recipients] == ["ok@example.com"]
    (problem,) = parsed.problems
    assert problem.line == 2


def test_an_unterminated_quote_as_large_as_the_upload_limit_is_a_line_problem():
    data = b'ok@example.com\n"' + b"y" * (MAX_CSV_BYTES - 20)
    parsed = parse_csv(data)

    assert [r.value for r in parsed.recipients] == ["ok@example.com"]
    assert [p.line for p in parsed.problems] == [2]


def _post(client, agent_id, recipients_text="", upload=None):
    key = form_key(client.get(URL).text)
    data = form_data(agent_id, key, recipients_text)
    if upload is not None:
        data["recipients_file"] = upload
    return client.post(URL, {**data, "step": "preview"})


def test_the_form_refuses_a_hidden_character_keeps_the_text_and_sends_nothing(
    natural, admin_client, agent_id
):
    typed = "ok@example.com\nsupport\u202e@example.com\nx\x00y@example.com"
    response = _post(admin_client, agent_id, typed)

    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "Line 2:" in text
    assert "U+202E" in text
    assert "Line 3:" in text
    assert "U+0000" in text
    assert upstream_writes(natural) == []


def test_the_form_refuses_a_huge_csv_field_and_invalid_utf8(natural, admin_client, agent_id):
    data = b"email\nok@example.com\n" + b"z" * 300_000 + b"@example.com\nbad\xfe@example.com\n"
    upload = SimpleUploadedFile("people.csv", data, content_type="text/csv")

    response = _post(admin_client, agent_id, upload=upload)

    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "CSV line 3:" in text
    assert "CSV line 4:" in text
    assert "\ufffd" not in text
    assert upstream_writes(natural) == []
