"""`python -m sandbox`: serve the Natural API emulator over HTTP until Ctrl-C or SIGTERM."""

import argparse
import os
import signal
import sys
from types import FrameType

from sandbox.app import SandboxApp
from sandbox.ratelimit import TokenBucket
from sandbox.seed import SeedConfig
from sandbox.server import make_server
from sandbox.webhooks import Settings as WebhookSettings

TOKEN_VARIABLE = "NATURAL_API_TOKEN"
# The webhook signing secret comes only from the environment (never a command line: `ps`).
SECRET_VARIABLE = "SANDBOX_WEBHOOK_SECRET"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="Run the Natural API sandbox (an emulator)."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--token", help=f"bearer token clients must send (default: ${TOKEN_VARIABLE})"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--customers", type=int, default=250)
    parser.add_argument("--invitations", type=int, default=400)
    parser.add_argument("--delegations", type=int, default=300, help="agent delegations")
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument(
        "--delegation-invitations",
        type=int,
        default=None,
        help="din_ invitations (default: a tenth of --invitations)",
    )
    parser.add_argument(
        "--mark-revoked-delegations",
        action="store_true",
        help="add an undocumented revoked_at to revoked agent delegations (off: as documented)",
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=0,
        metavar="N",
        help="Natural's token bucket: N requests a second for the credential, with a burst of N "
        "(429 rate_limited with Retry-After, X-RateLimit-* headers); off by default",
    )
    parser.add_argument(
        "--webhook-url",
        help=f"send signed webhooks here (the signing secret from ${SECRET_VARIABLE})",
    )
    parser.add_argument(
        "--webhook-duplicates", type=float, default=0.05, help="share of events sent twice"
    )
    parser.add_argument(
        "--webhook-reorder",
        type=float,
        default=0.5,
        help="up to this many seconds of random delay per event, so order is not kept",
    )
    parser.add_argument("--webhook-attempts", type=int, default=8, help="deliveries per event")
    parser.add_argument(
        "--webhook-backoff", type=float, default=1.0, help="seconds before the first retry"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    token = args.token or os.environ.get(TOKEN_VARIABLE)
    if not token:
        print(
            f"python -m sandbox: no token. Pass --token or set {TOKEN_VARIABLE}.",
            file=sys.stderr,
        )
        return 2
    secret = os.environ.get(SECRET_VARIABLE, "")
    if args.webhook_url and not secret:
        print(f"python -m sandbox: --webhook-url needs {SECRET_VARIABLE}.", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop)
    try:
        config = SeedConfig(
            seed=args.seed,
            customers=args.customers,
            invitations=args.invitations,
            delegations=args.delegations,
            agents=args.agents,
            delegation_invitation_count=args.delegation_invitations,
        )
        app = SandboxApp(token, config, mark_revoked_delegations=args.mark_revoked_delegations)
        if args.rate_limit > 0:
            app.rate_limiter = TokenBucket(args.rate_limit)
        if args.webhook_url:
            try:
                app.send_webhooks(
                    WebhookSettings(
                        url=args.webhook_url,
                        secret=secret,
                        attempts=args.webhook_attempts,
                        backoff=args.webhook_backoff,
                        duplicates=args.webhook_duplicates,
                        reorder=args.webhook_reorder,
                    )
                )
            except Exception:
                print(
                    f"python -m sandbox: {SECRET_VARIABLE} is not a whsec_ secret.",
                    file=sys.stderr,
                )
                return 2
        server = make_server(app, args.host, args.port, log_requests=args.verbose)
        counts = app.counts()
        print(
            f"Natural sandbox listening on http://{args.host}:{server.port} "
            f"({counts['customers']} customers, {counts['invitations']} invitations, "
            f"{counts['agentDelegations']} agent delegations"
            + (f", {args.rate_limit:g} requests/s" if args.rate_limit > 0 else "")
            + ")",
            f"{counts['agentDelegations']} agent delegations)"
            + (f", webhooks to {args.webhook_url}" if args.webhook_url else ""),
            flush=True,
        )
        # Werkzeug's serve_forever returns (and closes the socket) on KeyboardInterrupt.
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
