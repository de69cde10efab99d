"""In-process use from tests: an httpx transport that behaves like the network would."""

import httpx

from sandbox.app import SandboxApp
from sandbox.faults import ConnectionDropped


class SandboxTransport(httpx.BaseTransport):
    """`httpx.WSGITransport` around the sandbox, where dropped connections raise
    `httpx.RemoteProtocolError` just as they do against the real server: "drop_before"
    before anything was handled, "drop_after" once the write has been committed."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self._wsgi = httpx.WSGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._wsgi.handle_request(request)
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from exc
