"""The real HTTP server: Werkzeug's threaded WSGI server, taught to drop connections."""

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler
from werkzeug.serving import make_server as make_werkzeug_server

from sandbox.app import SandboxApp


class _RequestHandler(WSGIRequestHandler):
    log_requests = False

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        # Werkzeug calls this for any ConnectionError from the app, including the sandbox's
        # ConnectionDropped, after writing nothing. Closing here makes the client see the
        # socket end without a response instead of waiting for one.
        self.close_connection = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.log_requests:
            super().log_request(code, size)


class _VerboseRequestHandler(_RequestHandler):
    log_requests = True


def make_server(
    app: SandboxApp, host: str = "127.0.0.1", port: int = 8765, *, log_requests: bool = False
) -> BaseWSGIServer:
    """A threaded server bound to host:port (port 0 picks a free one: see `server.port`)."""
    handler = _VerboseRequestHandler if log_requests else _RequestHandler
    return make_werkzeug_server(host, port, app, threaded=True, request_handler=handler)


@contextlib.contextmanager
def serve_in_thread(app: SandboxApp, host: str = "127.0.0.1") -> Iterator[str]:
    """Run the real server on a free loopback port for the duration; yields its base URL."""
    server = make_server(app, host, 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://{host}:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
