"""The task type registry: each task module registers one ``TaskType`` with ``@register``.

The one place for task-type names, titles and the spellings users may write for them: the schema's
task names, the API's ``task_type`` fields, the CLI's ``--task`` and the page read them here. A
task type is written by its ``name`` ("text_classification"), its ``title`` ("Text
classification") or any of its ``spellings`` ("classification", "Text Classification"), in any
case, with any spaces and punctuation (``task_type_from``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from podium.errors import InvalidField, quote

if TYPE_CHECKING:
    from podium.tasks._base import TaskType

_TASKS: dict[str, TaskType] = {}
_SPELLINGS: dict[str, str] = {}  # spelling key -> task type name


def spelling_key(text: str) -> str:
    """What two spellings of a task type share: its letters, lowercased ("Document-level QA" -> "documentlevelqa")."""
    return re.sub(r"[^a-z]", "", text.lower())


def register(cls: type[TaskType]) -> type[TaskType]:
    """Add a task type (a class decorator); its name, title and ``spellings`` must be new."""
    if cls.name in _TASKS:
        raise ValueError(f"task type {cls.name!r} registered twice")
    keys = {spelling_key(s) for s in (cls.name, cls.title, *getattr(cls, "spellings", ()))}
    taken = sorted(k for k in keys if k in _SPELLINGS)
    if taken:
        raise ValueError(f"task type {cls.name!r}: the spellings {taken} are taken by another task type")
    _TASKS[cls.name] = cls()
    _SPELLINGS.update(dict.fromkeys(keys, cls.name))
    return cls


def get_task(name: str) -> TaskType:
    """The task type of exactly this name (``KeyError`` naming the known ones otherwise)."""
    try:
        return _TASKS[name]
    except KeyError:
        raise KeyError(f"unknown task type {name!r}; known: {', '.join(sorted(_TASKS))}") from None


def task_types() -> dict[str, TaskType]:
    return dict(_TASKS)


def task_type_names() -> tuple[str, ...]:
    """Every task type's name, in registration order."""
    return tuple(_TASKS)


def task_type_from(text: str) -> str:
    """The name of the task type ``text`` spells (its name, title or one of its spellings, in any
    case and punctuation); ``InvalidField("task_type", ...)`` naming the choices otherwise."""
    name = _SPELLINGS.get(spelling_key(text)) if isinstance(text, str) else None
    if name is None:
        raise InvalidField("task_type", f"unknown task type {quote(text)}; use one of {', '.join(_TASKS)}")
    return name
