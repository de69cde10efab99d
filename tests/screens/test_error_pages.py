"""Not-found and failure pages are the product's own, named in the product's words."""

from __future__ import annotations

import pytest
from django.urls import path

from config import urls as dashboard_urls

UNKNOWN_CUSTOMER = "pty_" + "0" * 32
UNKNOWN_DELEGATION = "adl_" + "0" * 32


def test_an_unknown_customer_id_from_the_header_box_says_so(natural, support_client):
    response = support_client.get("/lookup/", {"id": UNKNOWN_CUSTOMER}, follow=True)
    assert response.status_code == 404
    body = response.content.decode()
    assert f"No customer {UNKNOWN_CUSTOMER} at Natural" in body
    assert 'id="lookup-id"' in body  # the header, so the next id can be pasted straight away


def test_an_unknown_agent_delegation_says_so(natural, support_client):
    response = support_client.get(f"/delegations/{UNKNOWN_DELEGATION}/")
    assert response.status_code == 404
    assert f"No agent delegation {UNKNOWN_DELEGATION} at Natural" in response.content.decode()


@pytest.fixture
def debug_demo(settings):
    """The demo runs with DEBUG on and product error pages, as `make demo` starts it."""
    settings.DEBUG = True
    settings.PRODUCT_ERROR_PAGES = True


def test_the_demo_answers_unknown_pages_with_the_product_404(debug_demo, support_client):
    response = support_client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Nothing here" in body
    assert "Django" not in body
    assert "URLconf" not in body


def test_the_demo_answers_an_unknown_customer_with_the_product_404(
    debug_demo, natural, support_client
):
    response = support_client.get(f"/customers/{UNKNOWN_CUSTOMER}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert f"No customer {UNKNOWN_CUSTOMER} at Natural" in body
    assert "Django" not in body


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken), *dashboard_urls.urlpatterns]


@pytest.mark.urls("tests.screens.test_error_pages")
def test_the_demo_answers_a_crash_with_the_product_500(debug_demo, admin_client_logged_in):
    response = admin_client_logged_in.get("/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "Traceback" not in body
    assert "RuntimeError" not in body


@pytest.fixture
def admin_client_logged_in(client, make_user):
    client.force_login(make_user("admin"))
    client.raise_request_exception = False
    return client
