"""QA metrics: SQuAD v1.1 F1/EM against the official functions, ROUGE-L against rouge_score, side by
side in one process, identical numbers per item.

The texts are realistic: words drawn Zipf-distributed (s = 1.1) from a 50,000-word vocabulary
whose most frequent words are English function words (articles included, which SQuAD's
normalisation drops), some capitalised, some with punctuation attached. Short answers: gold
answers of 1-5 words (30% of questions with a second gold answer), predictions of 1-30 words
(exact copies, the gold answer inside a sentence, partly overlapping, or unrelated). Long texts
(ROUGE-L for summaries): references of 40-120 words, predictions of 30-150 words sharing a part
of them.

References, as their users call them: the official v1.1 ``metric_max_over_ground_truths`` loop
for EM and F1 (tests/reference/squad_v1_1.py), and ``RougeScorer(["rougeL"]).score_multi``.

Run: .venv/bin/python bench/bench_answers.py [--answers 100000] [--summaries 10000]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "tests"))
from _common import median_seconds, report  # noqa: E402
from reference import squad_v1_1 as squad  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402

from podium.metrics import answers  # noqa: E402

VOCABULARY = 50_000
ZIPF = 1.1
FUNCTION_WORDS = (
    "the of and to a in is was for on that by with as at an from it his are which be this were or "
    "has had its their not but have one after also first two new been more who they he she"
).split()


class Texts:
    """Random texts over a Zipf-distributed vocabulary (see the module docstring)."""

    def __init__(self, seed: int, size: int = VOCABULARY):
        self.rng = np.random.default_rng(seed)
        letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
        words = set(FUNCTION_WORDS)
        while len(words) < size:
            length = int(self.rng.integers(2, 11))
            words.add("".join(self.rng.choice(letters, size=length)))
        invented = sorted(words - set(FUNCTION_WORDS))
        self.rng.shuffle(invented)
        words = FUNCTION_WORDS + invented
        for i in range(len(FUNCTION_WORDS), size, 7):  # names, places, numbers
            words[i] = words[i].capitalize() if i % 3 else str(int(self.rng.integers(1, 10_000)))
        self.words = np.array(words, dtype=object)
        p = 1.0 / np.arange(1, size + 1) ** ZIPF
        self.p = p / p.sum()

    def words_(self, k: int) -> list[str]:
        chosen = self.words[self.rng.choice(len(self.words), size=k, p=self.p)].tolist()
        marks = self.rng.random(k)
        return [w + "," if m < 0.05 else w + "." if m < 0.08 else w for w, m in zip(chosen, marks, strict=True)]

    def text(self, low: int, high: int) -> str:
        return " ".join(self.words_(int(self.rng.integers(low, high + 1))))


def short_answers(n: int, seed: int) -> tuple[list[str], list[list[str]]]:
    texts = Texts(seed)
    preds, golds = [], []
    for _ in range(n):
        gold = texts.text(1, 5)
        alternatives = [gold] + ([texts.text(1, 5)] if texts.rng.random() < 0.3 else [])
        r = texts.rng.random()
        if r < 0.3:
            pred = gold
        elif r < 0.6:  # the answer inside a sentence, 1-30 words in all
            before, after = texts.text(0, 12), texts.text(0, 12)
            pred = " ".join(x for x in (before.capitalize(), gold, after) if x) + "."
        elif r < 0.8:  # partly right
            words = gold.split()
            pred = " ".join(words[: max(1, len(words) // 2)] + texts.words_(int(texts.rng.integers(0, 6))))
        else:
            pred = texts.text(1, 30)
        preds.append(pred)
        golds.append(alternatives)
    return preds, golds


def summaries(n: int, seed: int) -> tuple[list[str], list[list[str]]]:
    texts = Texts(seed)
    preds, golds = [], []
    for _ in range(n):
        reference = texts.words_(int(texts.rng.integers(40, 121)))
        kept = [w for w in reference if texts.rng.random() < 0.5]  # about half the reference, in order
        extra = texts.words_(int(texts.rng.integers(0, 40)))
        cut = int(texts.rng.integers(0, len(kept) + 1))
        preds.append(" ".join(kept[:cut] + extra + kept[cut:]))
        golds.append([" ".join(reference)])
    return preds, golds


def squad_reference(pairs):
    em = [squad.metric_max_over_ground_truths(squad.exact_match_score, p, g) for p, g in pairs]
    f1 = [squad.metric_max_over_ground_truths(squad.f1_score, p, g) for p, g in pairs]
    return em, f1


def compare_squad(label: str, preds: list[str], golds: list[list[str]]) -> None:
    pairs = list(zip(preds, golds, strict=True))
    em, f1 = answers.squad_scores(preds, golds)
    ref_em, ref_f1 = squad_reference(pairs)
    same = em.tolist() == [float(x) for x in ref_em] and f1.tolist() == [float(x) for x in ref_f1]
    ours_t = median_seconds(lambda: answers.squad_scores(preds, golds), repeat=5)
    ref_t = median_seconds(lambda: squad_reference(pairs), repeat=3, warmup=0)
    report(f"{label}: SQuAD F1 + EM vs official v1.1 loop", ours_t, ref_t, "target: >= 8x")
    print(f"    f1 {f1.mean():.6f}  exact {em.mean():.6f}  identical per item: {same}", flush=True)


def compare_rouge(label: str, preds: list[str], golds: list[list[str]]) -> None:
    pairs = list(zip(preds, golds, strict=True))
    scorer = rouge_scorer.RougeScorer(["rougeL"])

    def reference():
        return [scorer.score_multi(g, p)["rougeL"].fmeasure for p, g in pairs]

    ours = answers.rouge_l(preds, golds)
    same = ours.tolist() == reference()
    ours_t = median_seconds(lambda: answers.rouge_l(preds, golds), repeat=5)
    ref_t = median_seconds(reference, repeat=3, warmup=0)
    report(f"{label}: ROUGE-L vs rouge_score", ours_t, ref_t, "target: >= 8x")
    print(f"    rouge_l {ours.mean():.6f}  identical per item: {same}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--summaries", type=int, default=10_000)
    args = parser.parse_args()
    preds, golds = short_answers(args.answers, 3)
    label = f"QA, {args.answers:,} answers"
    compare_squad(label, preds, golds)
    compare_rouge(label, preds, golds)
    preds, golds = summaries(args.summaries, 5)
    compare_rouge(f"{args.summaries:,} summaries (40-120 words)", preds, golds)


if __name__ == "__main__":
    main()
