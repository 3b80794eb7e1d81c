"""NER metrics on 100,000 sentences: Podium against seqeval, side by side, identical numbers.

The reference is the call evaluate's seqeval module makes: one
``classification_report(output_dict=True)``, whose "micro avg" row is the overall precision,
recall and F1 (calling ``precision_score``, ``recall_score`` and ``f1_score`` as well would count
the entities four times over and flatter the ratio).

Run: .venv/bin/python bench/bench_ner.py
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_seconds, report  # noqa: E402
from seqeval.metrics import classification_report  # noqa: E402

from podium.metrics import load_metric  # noqa: E402

TYPES = ["PER", "ORG", "LOC", "MONEY", "ORG-SUB"]


def sentences(n: int, seed: int) -> tuple[list[list[str]], list[list[str]]]:
    rng = random.Random(seed)
    gold, pred = [], []
    for _ in range(n):
        g: list[str] = []
        while len(g) < rng.randint(8, 20):
            if rng.random() < 0.2:
                t = rng.choice(TYPES)
                g += [f"B-{t}"] + [f"I-{t}"] * rng.randint(0, 2)
            else:
                g.append("O")
        p = []
        for tag in g:
            r = rng.random()
            if r < 0.9:
                p.append(tag)
            elif r < 0.95:
                p.append("O")
            else:
                p.append(rng.choice(["B-", "I-"]) + rng.choice(TYPES))
        gold.append(g)
        pred.append(p)
    return gold, pred


def main() -> None:
    gold, pred = sentences(100_000, 1)
    metric = load_metric("podium_ner")

    def ours():
        return metric.from_counts(metric.counts(gold, pred))

    def reference():
        return classification_report(gold, pred, output_dict=True, zero_division=0)

    (metrics, details), rep = ours(), reference()
    overall = rep["micro avg"]
    identical = (metrics["precision"], metrics["recall"], metrics["f1"]) == (
        overall["precision"],
        overall["recall"],
        overall["f1-score"],
    ) and all(
        (v["precision"], v["recall"], v["f1"], v["support"])
        == (rep[t]["precision"], rep[t]["recall"], rep[t]["f1-score"], rep[t]["support"])
        for t, v in details["per_type"].items()
    )
    ours_t = median_seconds(ours, repeat=5)
    ref_t = median_seconds(reference, repeat=3, warmup=0)
    report("NER, 100,000 sentences: P/R/F1 + per-type vs seqeval report", ours_t, ref_t, "bar: >= 20x")
    print(f"    f1 {metrics['f1']:.6f}  identical to seqeval (overall and per type): {identical}")


if __name__ == "__main__":
    main()
