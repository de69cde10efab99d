"""What a signed-in user sees is never kept by a shared cache and always asked for again;
downloads are never stored at all."""

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


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def _never_stored(response) -> bool:
    return {"private", "no-cache"} <= _directives(response)


@pytest.mark.parametrize("url", SIGNED_IN_URLS)
def test_every_signed_in_response_is_private_and_asked_for_again(admin_client, natural, url):
    response = admin_client.get(url)

    assert _never_stored(response), (url, response.status_code, response.get("Cache-Control"))
    if url.endswith(".csv"):
        assert "no-store" in _directives(response), url


def test_partials_are_private_and_asked_for_again(admin_client, natural):
    response = admin_client.get(
        "/delegations/", headers={"HX-Request": "true", "HX-Target": "delegations-table"}
    )

    assert response.status_code == 200
    assert _never_stored(response)
