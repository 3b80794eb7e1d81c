"""Chatbot: question answering across documents.

Each item is a question; the benchmark's documents (``documents.parquet`` beside its inputs)
are the corpus an answer may come from. Metrics: SQuAD token F1 (primary), exact match, ROUGE-L.
"""

from podium.tasks._qa import QuestionAnswering
from podium.tasks._registry import register


@register
class Chatbot(QuestionAnswering):
    name = "chatbot"
    title = "Chatbot (QA across documents)"
    spellings = ("Document-level QA (chatbot)", "Document-level QA")
    description = "Answer questions using a collection of documents."
    input_fields = ("question",)
    optional_input_fields = ("document_ids",)
    aliases = {"query": "question", "prompt": "question", "answer": "answers", "gold": "answers"}
