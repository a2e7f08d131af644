"""``intake-app serve``: run the Intake service (FastAPI + uvicorn) that relays to the helpdesk.

Heavy imports (FastAPI, SQLAlchemy, uvicorn) happen inside :func:`run`, so the
command table stays cheap for every other command.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1, or [service] host)")
    parser.add_argument("--port", type=int, help="port to listen on; 0 picks a free one (default 8787)")
    parser.add_argument("--data", metavar="DIR", type=Path, help="data folder (database, attachments)")
    parser.add_argument("--config", dest="service_config", metavar="FILE", type=Path,
                        help="service configuration file (service.toml)")
    parser.add_argument("--demo", dest="serve_demo", action="store_true",
                        help="local connector, demo company with enrolment key 'demo', automatic e-mail checks")
    parser.add_argument("--ready-file", metavar="PATH", type=Path,
                        help="write the service URL here once it accepts connections")
    parser.add_argument("--sync-interval", type=float, metavar="SECONDS", help="seconds between helpdesk syncs")
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING (default INFO)")
    parser.add_argument("--test-hooks", action="store_true",
                        help="honour test-only fault injection (INTAKE_SERVICE_FAULT); never in production")


def run(name: str, args: argparse.Namespace) -> int:
    from intake_app.service.config import load_config
    from intake_app.service.server import configure_logging, serve

    demo = bool(args.demo or args.serve_demo)
    data = args.data
    if data is None and demo and args.service_config is None:
        from intake_app.paths import user_paths

        data = user_paths(args.basedir).demo_service
    config = load_config(args.service_config, data_dir=data, demo=demo, test_hooks=args.test_hooks)
    if args.sync_interval is not None:
        config = config.with_changes(sync_interval=max(0.2, args.sync_interval))
    configure_logging(args.log_level or config.log_level)
    from intake_app.service.runtime import ServiceRuntime

    runtime = ServiceRuntime(config)
    return serve(runtime, args.host or config.host, config.port if args.port is None else args.port, args.ready_file)
