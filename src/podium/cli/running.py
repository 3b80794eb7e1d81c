"""`podium backend` and `podium serve`: the long-running processes."""

from __future__ import annotations

import argparse
import sys

from podium.cli.common import backend_settings, configure_logging, data_home


def _wait_for_signal() -> None:
    import signal
    import threading

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass


def cmd_backend(args: argparse.Namespace) -> int:
    from podium.backend import Backend

    configure_logging()
    backend = Backend(data_home(args), backend_settings(args))
    if args.once:
        count = backend.run_once()
        backend.stop()
        print(f"processed {count} submissions", file=sys.stderr)
        return 0
    backend.start()
    _wait_for_signal()
    print("stopping the backend", file=sys.stderr)
    backend.stop()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from podium.web.server import serve

    configure_logging()
    return serve(data_home(args), backend_settings(args), host=args.host, port=args.port, backend=not args.no_backend)
