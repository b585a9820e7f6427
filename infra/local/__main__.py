"""``python -m infra.local run``: DynamoDB Local + table + demo data + the API on 127.0.0.1.
``python -m infra.local token <user id>``: a JWT for a demo user.  ``... openapi``: regenerate docs/openapi.json.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

LOCAL_SECRET = "examdesk-local-development-secret-change-me"
ROOT = Path(__file__).resolve().parents[2]


def configure(endpoint: str | None = None) -> None:
    os.environ.setdefault("EXAMDESK_JWT_SECRET", LOCAL_SECRET)
    os.environ.setdefault("EXAMDESK_TABLE_NAME", "examdesk")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    # Credential records are read for every request locally: a revocation takes effect at once (deployed: within
    # EXAMDESK_CREDENTIAL_CACHE_SECONDS, docs/credentials.md).
    os.environ.setdefault("EXAMDESK_CREDENTIAL_CACHE_SECONDS", "0")
    if endpoint:
        os.environ["EXAMDESK_DYNAMODB_ENDPOINT"] = endpoint


def serve(endpoint: str, port: int, demo: bool, quiet: bool = False, importer_interval: float | None = None,
          interactive: bool = False) -> None:
    """Serve the API against a running DynamoDB endpoint (creating the table if missing), with the results
    importer on its schedule and fake providers (docs/powerpath.md)."""
    configure(endpoint)
    from functions.data.dynamo import client
    from functions.platform.settings import API_BASE_URL, CLIENT_ISSUER, settings
    from infra.local import demo_data
    from infra.local.dynamodb_local import ensure_table
    from infra.local.server import make_server
    from infra.local.spawn import LISTENING

    server = make_server(port=port, quiet=quiet)
    port = server.server_address[1]  # the one it bound: --port 0 lets the system choose (infra/local/spawn.py)
    # OAuth clients' tokens come from this runner's own token endpoint (infra/local/oauth.py), as Cognito's
    # would deployed; the routes verify them by this issuer's JWKS.
    os.environ[CLIENT_ISSUER] = f"http://127.0.0.1:{port}"
    # Links (pagination, Link headers) are built on this setting, never on request headers: the address bound.
    os.environ.setdefault(API_BASE_URL, f"http://127.0.0.1:{port}")
    settings.cache_clear()
    created = ensure_table(client(), settings().table_name)
    loaded = demo_data.load() if demo else {}
    print(f"table {settings().table_name} {'created' if created else 'kept'} on {endpoint}; demo data: {loaded}")
    print(f"{LISTENING.format(port=port)}  (Swagger UI: /docs, spec: /openapi.json)", flush=True)
    from infra.local.scheduler import INTERVAL_ENV, start_local_importer

    interval = importer_interval if importer_interval is not None else float(os.environ.get(INTERVAL_ENV, 300))
    start_local_importer(port, interval, quiet=quiet, interactive=interactive)
    server.serve_forever()


def _stop_on_signals() -> None:
    # Ctrl-C, and a plain `kill` (SIGTERM) too, end in the `finally` that stops DynamoDB Local; SIGINT is set
    # explicitly because a shell that starts us in the background leaves it ignored.
    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)


def run(port: int, db_port: int, importer_interval: float | None = None) -> None:
    from infra.local.dynamodb_local import DynamoDBLocal

    _stop_on_signals()
    # `make run` mirrors the web ACL's per-caller limits as deployed (docs/operations.md, "Throttling").
    os.environ.setdefault("EXAMDESK_LOCAL_RATE_LIMITS", "1")

    db = DynamoDBLocal(port=db_port, db_path=ROOT / ".local" / "dynamodb").start()
    print(f"DynamoDB Local on {db.endpoint}, data kept in .local/dynamodb")
    print("A token for a demo user: make token user=kevin   (users: ada irene theo kevin maria oscar)")
    print("Ctrl-C stops the API and DynamoDB Local.")
    try:
        serve(db.endpoint, port, demo=True, importer_interval=importer_interval, interactive=True)
    except KeyboardInterrupt:
        print("\nstopping")
    finally:
        db.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local")
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="start DynamoDB Local and the API")
    run_p.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    run_p.add_argument("--db-port", type=int, default=int(os.environ.get("DB_PORT", 8001)))
    serve_p = sub.add_parser("serve", help="serve the API against a running DynamoDB endpoint")
    serve_p.add_argument("--endpoint", required=True)
    serve_p.add_argument("--port", type=int, required=True, help="0: a free port, printed when listening")
    serve_p.add_argument("--demo", action="store_true", help="load the demo data set")
    serve_p.add_argument("--quiet", action="store_true")
    for p in (run_p, serve_p):
        p.add_argument("--importer-interval", type=float, default=None,
                       help="seconds between importer passes (default $EXAMDESK_IMPORTER_INTERVAL_SECONDS or 300; "
                            "0: on demand only)")
    token_p = sub.add_parser("token", help="print a JWT for a user id")
    token_p.add_argument("user")
    token_p.add_argument("--hours", type=float, default=8)
    sub.add_parser("openapi", help="write docs/openapi.json")
    args = parser.parse_args(argv)
    configure()
    if args.command == "run":
        run(args.port, args.db_port, args.importer_interval)
    elif args.command == "serve":
        serve(args.endpoint, args.port, args.demo, args.quiet, args.importer_interval)
    elif args.command == "token":
        from functions.platform.auth import mint_jwt

        print(mint_jwt(args.user, int(args.hours * 3600)))
    else:
        from infra.local.openapi import write

        print(f"wrote {write()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
