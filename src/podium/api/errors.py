"""Podium's typed errors as HTTP answers, in one table: ``{"detail": message}`` with its status.

Services raise ``podium.errors`` types (and the queue's and the private part's); the routers never
catch them. An error's status is that of the first of its classes (most specific first) found in
``STATUS``; any other ``PodiumError`` is a 400.
"""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from podium.errors import (
    Conflict,
    Forbidden,
    InvalidField,
    InvalidPredictions,
    NotFound,
    PodiumError,
    QuotaExceeded,
    TooLarge,
    Unauthenticated,
)
from podium.private_part import BenchmarkClosed
from podium.queue import InvalidTransition, RequestNotFound
from podium.slugs import UnsafeNameError

STATUS: dict[type[Exception], int] = {
    Unauthenticated: 401,  # no, unknown, expired or revoked token
    Forbidden: 403,
    NotFound: 404,  # UnknownBenchmark too
    RequestNotFound: 404,
    Conflict: 409,
    BenchmarkClosed: 409,
    InvalidTransition: 409,
    TooLarge: 413,
    InvalidField: 422,
    InvalidPredictions: 422,
    UnsafeNameError: 422,
    QuotaExceeded: 429,
    PodiumError: 400,  # UsageError, BenchmarkError and any other
}


def status_of(exc: PodiumError) -> int:
    return next(STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS)


def answer(exc: PodiumError) -> JSONResponse:
    """The HTTP answer to ``exc``."""
    headers = None
    if isinstance(exc, QuotaExceeded):
        headers = {"Retry-After": str(exc.retry_after)}
    elif isinstance(exc, Unauthenticated):
        headers = {"WWW-Authenticate": "Bearer"}
    detail = exc.render() if isinstance(exc, InvalidPredictions) else str(exc)
    return JSONResponse({"detail": detail}, status_code=status_of(exc), headers=headers)


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    return answer(exc)  # registered for PodiumError only


def install(app: FastAPI) -> None:
    """Answer every ``PodiumError`` a route raises by the table."""
    app.add_exception_handler(PodiumError, _handle)
