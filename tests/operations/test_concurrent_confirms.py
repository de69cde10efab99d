"""Two identical confirms of one batch at the same moment, where Natural refuses one part.

"Natural refused this batch; nothing was invited" may only be said when every part of the batch
in the database was refused; otherwise both requests land on the batch page (JavaScript off).
"""

from __future__ import annotations

import threading

import httpx
import pytest
from django.db import connections
from django.test import Client

from operations.models import Batch, State
from sandbox.testing import SandboxTransport
from tests.operations.test_invite_views import URL, form_data, form_key, preview_then_confirm

pytestmark = pytest.mark.django_db(transaction=True)
UNKNOWN_PARTY = "pty_" + "0" * 32


class PausingTransport(httpx.BaseTransport):
    """Holds the first invite request on the wire until told to let it through."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.on_wire = threading.Event()
        self.release = threading.Event()
        self._paused = False
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            with self._lock:
                pause, self._paused = not self._paused, True
            if pause:
                self.on_wire.set()
                self.release.wait(timeout=30)
        return self.inner.handle_request(request)


def confirm_with_a_refused_second_part(client, agent_id) -> dict:
    good = [f"ok{n}@example.com" for n in range(100)]
    data = form_data(agent_id, form_key(client.get(URL).text), "\n".join([*good, UNKNOWN_PARTY]))
    _, confirm = preview_then_confirm(client, data)
    return confirm


def test_concurrent_confirms_with_a_refused_part_both_land_on_the_batch(
    natural, make_user, agent_id, monkeypatch
):
    from delegations import client as natural_client
    from operations.views import invite

    user = make_user("admin", username="ada")
    first, second = Client(), Client()
    first.force_login(user)
    second.force_login(user)
    confirm = confirm_with_a_refused_second_part(first, agent_id)
    wire = PausingTransport(SandboxTransport(natural))
    natural_client.use_transport(wire)

    # The second request passes "is there a batch with this key?" before the first creates it,
    # then goes on while the first request's part 1 is still on the wire.
    real_create = invite.engine.create_batch
    checked = threading.Event()

    def create_batch(**arguments):
        if threading.current_thread() is not threading.main_thread():
            checked.set()
            wire.on_wire.wait(timeout=30)
        return real_create(**arguments)

    monkeypatch.setattr(invite.engine, "create_batch", create_batch)
    answers = {}

    def second_confirm():
        try:
            answers["second"] = second.post(URL, confirm)
        finally:
            wire.release.set()
            connections.close_all()

    thread = threading.Thread(target=second_confirm)
    thread.start()
    assert checked.wait(timeout=30)
    answers["first"] = first.post(URL, confirm)
    thread.join(timeout=60)

    batch = Batch.objects.get()
    states = sorted(batch.operations.values_list("state", flat=True))
    assert states == [State.FAILED, State.SUCCEEDED]
    for name in ("first", "second"):
        response = answers[name]
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"] == f"/operations/batches/{batch.key}/"
        assert "nothing was invited" not in response.text


def test_a_batch_whose_every_part_was_refused_offers_the_list_again(natural, make_user, agent_id):
    user = make_user("admin", username="ada")
    client = Client()
    client.force_login(user)
    data = form_data(agent_id, form_key(client.get(URL).text), UNKNOWN_PARTY)
    _, confirm = preview_then_confirm(client, data)
    page = client.post(URL, confirm)
    again = client.post(URL, confirm)
    assert page.status_code == again.status_code == 200
    for response in (page, again):
        assert "Natural refused this batch; nothing was invited" in response.text
        assert UNKNOWN_PARTY in response.text
        assert form_key(response.text) != confirm["key"]
