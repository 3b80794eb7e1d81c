"""Column and metric names in words, each with a short explanation: one place for the page, the
terminal and the CSV files they write. The API, the CLI's ``--json`` and the caches keep the field
names (``rank_ub``, ``macro_f1``); only what people read uses these.
"""

from __future__ import annotations

# field -> (title, what it means)
COLUMNS: dict[str, tuple[str, str]] = {
    "rank": ("Rank", "Position by score; models with equal scores share a rank."),
    "rank_ub": ("Rank (UB)", "1 + the number of models whose 95% interval lies entirely above this model's: "
                "a rank the data supports (as LMArena ranks)."),
    "model": ("Model", "The model's page on this leaderboard."),
    "org": ("Org", "The organisation that submitted the model."),
    "score": ("Score", "The benchmark's primary metric."),
    "ci": ("95% CI", "95% bootstrap confidence interval of the score (10,000 resamples)."),
    "ci_low": ("CI low", "Lower bound of the 95% interval."),
    "ci_high": ("CI high", "Upper bound of the 95% interval."),
    "n": ("Items", "Items scored."),
    "updated": ("Updated", "When the result was scored or reported (UTC)."),
    "source": ("Source", "verified: scored here from predictions; reported: numbers given by a maintainer."),
    "model_type": ("Type", "Open weights (weights published), API (served only) or fine-tuned (of another model), "
                   "as the submitter said."),
    "params_b": ("Params (B)", "Parameters, in billions, as the submitter said."),
    "license": ("Licence", "The model's licence, as the submitter said."),
    "version": ("Version", "The benchmark version the result was scored on."),
    "submission": ("Submission", "The submission the result came from."),
    "link": ("Link", "The model's own page, elsewhere."),
    "revision": ("Revision", "The model revision submitted."),
    "mean_score": ("Mean score", "Mean of the model's scores over the benchmarks it has results on."),
    "mean_rank": ("Mean rank", "Mean of the model's ranks over the benchmarks it has results on."),
    "benchmarks": ("Benchmarks", "Benchmarks the model has results on, of those in this view."),
    "of": ("Of", "Benchmarks in this view."),
}  # fmt: skip

# metric id -> (title, what it means)
METRICS: dict[str, tuple[str, str]] = {
    "accuracy": ("Accuracy", "Share of items labelled correctly."),
    "macro_f1": ("Macro-F1", "F1 of each class, averaged with every class counting alike."),
    "f1": ("F1", "Harmonic mean of precision and recall: entity-level (micro) for NER, "
           "answer tokens against the best gold answer for QA (SQuAD)."),
    "precision": ("Precision", "Share of predicted entities that are right (exact span and type)."),
    "recall": ("Recall", "Share of gold entities found (exact span and type)."),
    "exact_match": ("Exact match", "Share of answers equal to a gold answer after SQuAD normalisation."),
    "rouge_l": ("ROUGE-L", "Longest-common-subsequence F-measure against the best gold answer."),
}  # fmt: skip


def metric_title(metric: str) -> str:
    """``macro_f1`` -> ``Macro-F1``; a metric without a title here (an extra metric) keeps its id."""
    found = METRICS.get(metric)
    return found[0] if found else metric


def column_title(field: str) -> str:
    """The words for a leaderboard field: a column, or a metric column."""
    found = COLUMNS.get(field)
    return found[0] if found else metric_title(field)


def explanation(field: str) -> str:
    """What a column means, in a sentence ('' for one we know nothing about)."""
    found = COLUMNS.get(field) or METRICS.get(field)
    return found[1] if found else ""


# model type -> its words (``podium.schema.MODEL_TYPES``)
MODEL_TYPE_TITLES = {"open-weights": "Open weights", "api": "API", "fine-tuned": "Fine-tuned"}


def model_type_title(value: str | None) -> str:
    """``open-weights`` -> ``Open weights``; '' when none was given."""
    return MODEL_TYPE_TITLES.get(value, value or "") if value else ""
