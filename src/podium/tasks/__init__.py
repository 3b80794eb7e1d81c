"""Task types: text_classification, ner, chatbot, prompting. A new task type is one module: its
class, registered with ``@register``, names it, titles it and lists the other spellings users may
write for it; the schema, the API, the CLI and the page read the registry."""

from podium.tasks import chatbot, ner, prompting, text_classification  # noqa: E402,F401  (register)
from podium.tasks._base import GoldSet, Scoring, TaskType
from podium.tasks._registry import get_task, register, task_type_from, task_type_names, task_types

__all__ = ["GoldSet", "Scoring", "TaskType", "get_task", "register", "task_type_from", "task_type_names", "task_types"]
