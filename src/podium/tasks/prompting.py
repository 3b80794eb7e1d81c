"""Prompting: question answering over one given document per question.

Each item carries its question and the document (``context``) that holds the answer.
Metrics: SQuAD token F1 (primary), exact match, ROUGE-L.
"""

from podium.tasks._qa import QuestionAnswering
from podium.tasks._registry import register


@register
class Prompting(QuestionAnswering):
    name = "prompting"
    title = "Prompting (QA per document)"
    spellings = ("Line-level QA (prompting)", "Line-level QA")
    description = "Answer a question about the document given with it."
    input_fields = ("question", "context")
    aliases = {
        "query": "question",
        "prompt": "question",
        "document": "context",
        "passage": "context",
        "answer": "answers",
        "gold": "answers",
    }
