"""What every command shares: the data folder, the server to talk to, and how its errors map to exit codes."""

from __future__ import annotations

import argparse
import contextlib
import os

from podium.config import Home
from podium.errors import PodiumError, UsageError


def data_home(args: argparse.Namespace) -> Home:
    return Home.from_env(args.home)


class ServerProblem(PodiumError):
    """The server failed or could not be reached (exit 3: retry later, the input is not at fault)."""

    exit_code = 3


def server_url(args: argparse.Namespace) -> str | None:
    """The Podium server to talk to: --url, else $PODIUM_URL; None means the local folders."""
    return getattr(args, "url", None) or os.environ.get("PODIUM_URL") or None


@contextlib.contextmanager
def http_errors():
    """Client errors as CLI errors: 2 when the server refused the request (4xx), 3 for server or network."""
    from podium.client import ApiError, ConnectionProblem

    try:
        yield
    except ApiError as exc:
        if exc.status >= 500:
            raise ServerProblem(f"the server failed ({exc.status}): {exc.detail}") from None
        raise UsageError(str(exc.detail)) from None
    except ConnectionProblem as exc:
        raise ServerProblem(str(exc)) from None


def client_for(args: argparse.Namespace, url: str):
    from podium.client import Client

    return Client(url, token=getattr(args, "token", None))


def configure_logging(verbose: bool = True) -> None:
    import logging

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def backend_settings(args: argparse.Namespace):
    from podium.backend import BackendSettings

    return BackendSettings(
        workers=args.workers,
        interval_seconds=args.interval,
        lease_seconds=args.lease,
        timeout_seconds=args.timeout,
        max_attempts=args.max_attempts,
    )
