"""The task type registry: each task module registers one ``TaskType`` with ``@register``."""

from __future__ import annotations

from podium.tasks._base import TaskType

_TASKS: dict[str, TaskType] = {}


def register(cls: type[TaskType]) -> type[TaskType]:
    if cls.name in _TASKS:
        raise ValueError(f"task type {cls.name!r} registered twice")
    _TASKS[cls.name] = cls()
    return cls


def get_task(name: str) -> TaskType:
    try:
        return _TASKS[name]
    except KeyError:
        raise KeyError(f"unknown task type {name!r}; known: {', '.join(sorted(_TASKS))}") from None


def task_types() -> dict[str, TaskType]:
    return dict(_TASKS)
