"""gunicorn settings for `make serve`; each value can be overridden from the environment."""

import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Views spend most of their time waiting on Natural, so threads, not processes, carry the load.
# A table costs about 5 ms of CPU against 50 ms or more of waiting on Natural: about ten
# threads keep a worker's core busy, and 16 gave a quarter more tables per second than 8 with
# no loss at 24 (bench/serving.py). Keep NATURAL_API_MAX_CONNECTIONS at least this high.
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "16"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "10000"))
max_requests_jitter = 500
accesslog = "-"
# Natural's cursors are up to 1,024 characters and the page trail carries several of them.
limit_request_line = int(os.environ.get("WEB_LIMIT_REQUEST_LINE", "8190"))


def post_worker_init(worker):
    """Once the app is loaded: its modules and settings live as long as the worker,
    so the garbage collector stops walking them (a full collection of a loaded worker took
    tens of milliseconds, in the middle of whichever request triggered it)."""
    import gc

    gc.collect()
    gc.freeze()
