"""Podium answer metrics: SQuAD v1.1 token F1 and exact match, and ROUGE-L F-measure.

Equal to the official SQuAD v1.1 evaluation functions (max over the gold answers) and to
``rouge_score``'s ROUGE-L with its default tokenizer. Scores are fractions in [0, 1].
"""

import datasets
import evaluate

from podium.metrics import answers

VERSION = "1.0.0"


class PodiumQa(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            module_type="metric",
            description=__doc__,
            citation="",
            inputs_description="predictions: one answer per question; references: its gold answers",
            features=datasets.Features(
                {
                    "predictions": datasets.Value("string"),
                    "references": datasets.Sequence(datasets.Value("string")),
                }
            ),
        )

    def per_item(self, predictions, references):
        """Per-item (exact_match, f1, rouge_l) arrays (the fast path)."""
        exact, f1 = answers.squad_scores(list(predictions), [list(r) for r in references])
        rouge = answers.rouge_l(list(predictions), [list(r) for r in references])
        return exact, f1, rouge

    def _compute(self, predictions, references):
        return answers.scores(*self.per_item(predictions, references))
