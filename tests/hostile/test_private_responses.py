"""Pages a signed-in user sees must never be kept by a shared or browser cache."""

from __future__ import annotations

import pytest

SIGNED_IN_URLS = [
    "/",
    "/customers/",
    "/invitations/",
    "/invitations/delegation/",
    "/delegations/",
    "/audit/",
    "/audit/export.csv",
    "/invitations/export.csv",
    "/delegations/export.csv",
    "/no-such-page/",
]


def _never_stored(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives or {"private", "no-cache"} <= directives


@pytest.mark.parametrize("url", SIGNED_IN_URLS)
def test_every_signed_in_response_says_no_store(admin_client, natural, url):
    response = admin_client.get(url)

    assert _never_stored(response), (url, response.status_code, response.get("Cache-Control"))


def test_partials_say_no_store(admin_client, natural):
    response = admin_client.get(
        "/delegations/", headers={"HX-Request": "true", "HX-Target": "delegations-table"}
    )

    assert response.status_code == 200
    assert _never_stored(response)
