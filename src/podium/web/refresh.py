"""Keeping an open page current with one small request at a time.

Every tab says what it shows that can change (a ``Watch``: its inputs, its outputs, a cheap test
of whether its view changed, and how to render it). The page has one timer event for all of
them, a long poll: it waits on the server, checking the shared versions in memory (no file is
read), until a watched view changed or ``LONG_POLL_SECONDS`` passed, then re-renders only the
views that changed and skips the rest. An idle page therefore sends one request every
``LONG_POLL_SECONDS`` or so; a new result reaches the page as soon as ``WebState`` notices it (its
watcher checks the folders every ``WebState.watch_seconds``; the in-process backend tells it at
once).

A user's own action (picking another benchmark, typing a search) cancels the pending poll, so a
poll started for the old view never renders over the new one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

LONG_POLL_SECONDS = 20.0
CHECK_SECONDS = 0.05


@dataclass
class Watch:
    """A part of the page that follows the data: ``changed(*inputs)`` is cheap (versions in memory),
    ``render(*inputs)`` returns one value per output."""

    inputs: list
    outputs: list
    changed: Callable[..., bool]
    render: Callable[..., tuple]
    user_events: list = field(default_factory=list)  # (component, event name): actions that cancel the poll


def wire(timer, watches: list[Watch], long_poll_seconds: float = LONG_POLL_SECONDS):
    """One timer event for every watch; returns the event (for ``cancels``)."""
    import gradio as gr

    inputs = [component for watch in watches for component in watch.inputs]
    outputs = [component for watch in watches for component in watch.outputs]

    def split(values: tuple) -> list[tuple]:
        parts, start = [], 0
        for watch in watches:
            parts.append(values[start : start + len(watch.inputs)])
            start += len(watch.inputs)
        return parts

    def stale(parts: list[tuple]) -> list[bool]:
        return [bool(watch.changed(*part)) for watch, part in zip(watches, parts, strict=True)]

    async def poll(*values):
        parts = split(values)
        deadline = time.monotonic() + long_poll_seconds
        flags = stale(parts)
        while not any(flags) and time.monotonic() < deadline:
            await asyncio.sleep(CHECK_SECONDS)
            flags = stale(parts)
        out: list = []
        for watch, part, flag in zip(watches, parts, flags, strict=True):
            if flag:
                rendered = await asyncio.to_thread(watch.render, *part)
                out.extend(rendered)
            else:
                out.extend(gr.skip() for _ in watch.outputs)
        return tuple(out) if len(out) != 1 else out[0]

    event = timer.tick(poll, inputs, outputs, show_progress="hidden", concurrency_limit=None, queue=True)
    for watch in watches:
        for component, name in watch.user_events:
            getattr(component, name)(None, None, None, cancels=[event], queue=False)
    return event
