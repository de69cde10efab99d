"""The real HTTP server: Werkzeug's threaded WSGI server, taught to keep connections alive and
to drop them."""

import contextlib
import threading
import traceback
from collections.abc import Iterator
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler
from werkzeug.serving import make_server as make_werkzeug_server
from werkzeug.wsgi import LimitedStream

from sandbox.app import SandboxApp


class _RequestHandler(WSGIRequestHandler):
    """Keeps each connection open for the client's next request, as Natural does.

    Werkzeug's own handler closes the connection after every response. A client's connection
    pool then never carries a second request, so reuse (and a reused connection going stale)
    would go untried, and every call would pay for a new connection on both sides.
    """

    log_requests = False
    # Headers and body go out as two writes: with Nagle's algorithm on, a kept-alive connection
    # held the body back until the client's delayed ACK, 40 ms later.
    disable_nagle_algorithm = True
    # An idle kept-alive connection holds one of the server's threads until this runs out.
    timeout = 30

    def run_wsgi(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower() or self.headers.get(
            "Expect"
        ):
            self.close_connection = True
            super().run_wsgi()  # Werkzeug's own path, which closes the connection
            return
        length = self.headers.get("Content-Length", "0").strip()
        if not length.isdigit():
            self.send_error(400, "Content-Length must be a whole number of bytes")
            return
        environ = self.environ = self.make_environ()
        body = LimitedStream(self.rfile, int(length))
        environ["wsgi.input"] = body
        started: list[Any] = []

        def start_response(status: str, headers: list, exc_info: Any = None) -> None:
            started[:] = [status, headers]

        try:
            chunks = self.server.app(environ, start_response)
            try:
                payload = b"".join(chunks)
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
        except ConnectionError as error:
            self.connection_dropped(error, environ)
            return
        except Exception:
            # As Werkzeug answers a crash: logged, a plain 500, and the connection closed.
            self.server.log("error", f"Error on request:\n{traceback.format_exc()}")
            self.send_error(500)
            return
        # What the application left unread must not be taken for the next request.
        body.exhaust()
        status, headers = started
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

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
