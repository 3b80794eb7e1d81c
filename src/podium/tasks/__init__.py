"""Task types: text_classification, ner, chatbot, prompting. A new task type is one module."""

from podium.tasks import chatbot, ner, prompting, text_classification  # noqa: E402,F401  (register)
from podium.tasks._base import GoldSet, Scoring, TaskType
from podium.tasks._registry import get_task, register, task_types

__all__ = ["GoldSet", "Scoring", "TaskType", "get_task", "register", "task_types"]
