"""QA metrics on 100,000 answers: SQuAD v1.1 F1/EM against the official functions, ROUGE-L against
rouge_score, side by side, identical numbers.

Run: .venv/bin/python bench/bench_answers.py
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "tests"))
from _common import median_seconds, report  # noqa: E402
from reference import squad_v1_1 as squad  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402

from podium.metrics import answers  # noqa: E402

WORDS = (
    "the company reported revenue of EUR 12.5 million in Helsinki Stockholm Oslo chief executive Anna "
    "Lindqvist founded 1998 steel paper wind turbines employees people an a about approximately its"
).split()


def data(n: int, seed: int) -> tuple[list[str], list[list[str]]]:
    rng = random.Random(seed)
    preds, golds = [], []
    for _ in range(n):
        gold = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
        alternatives = [gold] + ([gold + " people"] if rng.random() < 0.3 else [])
        r = rng.random()
        if r < 0.4:
            pred = gold
        elif r < 0.7:
            pred = "The answer is " + gold + "."
        else:
            pred = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 8)))
        preds.append(pred)
        golds.append(alternatives)
    return preds, golds


def main() -> None:
    preds, golds = data(100_000, 3)
    pairs = list(zip(preds, golds, strict=True))

    def squad_reference():
        em = [squad.metric_max_over_ground_truths(squad.exact_match_score, p, g) for p, g in pairs]
        f1 = [squad.metric_max_over_ground_truths(squad.f1_score, p, g) for p, g in pairs]
        return em, f1

    scorer = rouge_scorer.RougeScorer(["rougeL"])

    def rouge_reference():
        return [scorer.score_multi(g, p)["rougeL"].fmeasure for p, g in pairs]

    em, f1 = answers.squad_scores(preds, golds)
    ref_em, ref_f1 = squad_reference()
    same_squad = em.tolist() == [float(x) for x in ref_em] and f1.tolist() == [float(x) for x in ref_f1]
    ours_t = median_seconds(lambda: answers.squad_scores(preds, golds), repeat=5)
    ref_t = median_seconds(squad_reference, repeat=3, warmup=0)
    report("QA, 100,000 answers: SQuAD F1 + EM vs official v1.1 loop", ours_t, ref_t, "bar: >= 3x")
    print(f"    f1 {f1.mean():.6f}  identical per item: {same_squad}")

    rl = answers.rouge_l(preds, golds)
    same_rouge = rl.tolist() == rouge_reference()
    ours_t = median_seconds(lambda: answers.rouge_l(preds, golds), repeat=5)
    ref_t = median_seconds(rouge_reference, repeat=3, warmup=0)
    report("QA, 100,000 answers: ROUGE-L vs rouge_score", ours_t, ref_t, "bar: >= 5x")
    print(f"    rouge_l {rl.mean():.6f}  identical per item: {same_rouge}")


if __name__ == "__main__":
    main()
