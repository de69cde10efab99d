"""The sandbox's hostile names and emails are shown as text, never as markup."""

from __future__ import annotations

import pytest

from sandbox.names import HOSTILE_CUSTOMERS

PAGES = ["/customers/?limit=20", "/delegations/?limit=100", "/invitations/?limit=100", "/"]


@pytest.mark.parametrize("url", PAGES)
def test_hostile_strings_are_escaped(natural, support_client, url):
    body = support_client.get(url).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "<img src=x onerror" not in body


def test_hostile_customer_names_render_as_text(natural, support_client):
    body = support_client.get("/customers/?limit=20").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "{{ 7*7 }}" in body
    assert "&lt;img src=x onerror=alert(2)&gt;" in body
    # The table region escapes quotes as numeric references (&#34; &#39;), Django's pages as
    # &quot; and &#x27;: text either way.
    assert "&#34;Quoted&#34; &amp; &#39;Apostrophe&#39; Holdings" in body
    assert "\"Quoted\" & 'Apostrophe' Holdings" not in body


def test_hostile_customer_detail_is_escaped(natural, support_client):
    name = HOSTILE_CUSTOMERS[0][0]
    customer = next(c for c in natural.state.customers.newest_first() if c.party.name == name)
    body = support_client.get(f"/customers/{customer.party.id}/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_quoted_invitation_emails_are_escaped(natural, support_client):
    body = support_client.get("/invitations/?email=%22quoted%22%40example.org").content.decode()
    assert "&quot;quoted&quot;@example.org" in body
    assert '"quoted"@example.org' not in body
