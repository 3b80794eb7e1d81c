"""What the routers get through FastAPI dependencies: the services of the app's data home and the
caller's identity.

The services are made once per app (``Services.of``, kept on ``app.state``) and handed to each
route by type: ``store: Store``, ``queue: Queue``, ... The caller's token comes through
``fastapi.security.HTTPBearer``, so the OpenAPI document declares the bearer scheme and the
operations that need it (``Submitter``, ``Admin``); reading is public.

(No ``from __future__ import annotations`` in the routers: FastAPI reads these annotations.)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.errors import Forbidden, Unauthenticated
from podium.limits import Limits
from podium.queue import RequestQueue
from podium.tokens import TokenRecord, TokenStore

BoardProvider = Callable[..., Any]  # board(force=False): the shared leaderboard tables, refreshed


@dataclass(frozen=True)
class Services:
    """The services one app's routes share."""

    home: Home
    store: BenchmarkStore
    queue: RequestQueue
    tokens: TokenStore
    limits: Limits
    board: BoardProvider

    @classmethod
    def of(cls, home: Home, board: BoardProvider, limits: Limits | None = None) -> "Services":
        return cls(home, BenchmarkStore(home), RequestQueue(home), TokenStore(home), limits or Limits.from_env(), board)


def services(request: Request) -> Services:
    return request.app.state.podium_services


def _home(s: Annotated[Services, Depends(services)]) -> Home:
    return s.home


def _store(s: Annotated[Services, Depends(services)]) -> BenchmarkStore:
    return s.store


def _queue(s: Annotated[Services, Depends(services)]) -> RequestQueue:
    return s.queue


def _tokens(s: Annotated[Services, Depends(services)]) -> TokenStore:
    return s.tokens


def _limits(s: Annotated[Services, Depends(services)]) -> Limits:
    return s.limits


def _board(s: Annotated[Services, Depends(services)]) -> BoardProvider:
    return s.board


HomeDir = Annotated[Home, Depends(_home)]
Store = Annotated[BenchmarkStore, Depends(_store)]
Queue = Annotated[RequestQueue, Depends(_queue)]
Tokens = Annotated[TokenStore, Depends(_tokens)]
Quotas = Annotated[Limits, Depends(_limits)]
Board = Annotated[BoardProvider, Depends(_board)]

bearer = HTTPBearer(auto_error=False, description="a token from `podium token create`")


def caller(
    request: Request,
    tokens: Tokens,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> TokenRecord | None:
    """The caller's token record, or None without a token. ``podium.guards.RequestGuard`` has checked
    the token (and counted the request) before the body was read; without the guard (an app that
    serves only the API) the token is checked here."""
    known = getattr(request.state, "identity", None)
    if known is not None or credentials is None:
        return known
    record = tokens.lookup_usable(credentials.credentials)
    if record is None:
        raise Unauthenticated("invalid, expired or revoked token")
    return record


def needs(role: Literal["submitter", "admin"]) -> Callable[..., TokenRecord]:
    """A dependency that lets through a caller with a token of ``role`` (an admin has every role)."""

    def check(who: Annotated[TokenRecord | None, Depends(caller)]) -> TokenRecord:
        if who is None:
            raise Unauthenticated("this operation needs a token")
        if role == "admin" and not who.is_admin:
            raise Forbidden("this operation needs an admin token")
        return who

    return check


Submitter = Annotated[TokenRecord, Depends(needs("submitter"))]
Admin = Annotated[TokenRecord, Depends(needs("admin"))]
