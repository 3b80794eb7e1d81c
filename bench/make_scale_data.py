"""A results dataset at the scale the leaderboard promises, generated into a folder (never committed).

``--benchmarks`` benchmarks (default 300, cycling over the four task types) x ``--models`` models
(default 3,000), every model with one result on every benchmark: 900,000 result files by default,
written as the backend writes them (``Result.to_json()``: metrics, 95% intervals, per-class or
per-type details, provenance), one folder per benchmark (``eval-results/<benchmark>/<id>.json``), and
a card per benchmark. By default the result files carry no per-item outcomes but name the file
beside them that would (``outcomes_file``, ``<id>.outcomes.parquet``, not written: only compare
reads it); ``--inline-outcomes`` writes the earlier format, 320 outcomes inline.

Deterministic for given arguments. Two processes write the files.

Run: .venv/bin/python bench/make_scale_data.py /tmp/scale [--benchmarks 300 --models 3000] [--inline-outcomes]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

import orjson

N_ITEMS = 320
STAMP = "20261124t083759z"
# (task type, primary metric, secondary metrics, details key, outcome fields)
TASKS = [
    ("text_classification", "accuracy", ["macro_f1"], "per_class", ["predicted_label_index", "correct"]),
    ("ner", "f1", ["precision", "recall"], "per_type", ["tp", "predicted", "gold"]),
    ("prompting", "f1", ["exact_match", "rouge_l"], None, ["exact_match", "f1", "rouge_l"]),
    ("chatbot", "f1", ["exact_match", "rouge_l"], None, ["exact_match", "f1", "rouge_l"]),
]
LABELS = ["negative", "neutral", "positive"]
TYPES = ["LOC", "MONEY", "ORG", "PER"]
CI_METHOD = "percentile bootstrap over sufficient statistics"


def benchmark_id(b: int) -> str:
    return f"bench-{b:03d}"


def task_of(b: int) -> tuple:
    return TASKS[b % len(TASKS)]


def model_of(m: int) -> tuple[str, str]:
    """(org, name) of model ``m``."""
    return f"org-{m % 97:02d}", f"model-{m:04d}"


def submission_id(b: int, m: int) -> str:
    org, name = model_of(m)
    return f"{STAMP}-{org}-{name}-{(b * 7919 + m * 104729) % 16**8:08x}"


def card_json(b: int) -> str:
    from podium.schema import BenchmarkCard

    task_type, primary, secondary, _, _ = task_of(b)
    card = BenchmarkCard(
        id=benchmark_id(b), name=f"Bench {b:03d}", task_type=task_type, primary_metric=primary,
        secondary_metrics=secondary, n_items=N_ITEMS, labels=LABELS if task_type == "text_classification" else None,
        entity_types=TYPES if task_type == "ner" else None, created_at="2026-11-24T08:00:00Z",
        updated_at="2026-11-24T08:00:00Z",
    )  # fmt: skip
    return card.to_json()


def _interval(rng: random.Random, score: float) -> dict:
    low, high = max(0.0, score - rng.uniform(0.01, 0.05)), min(1.0, score + rng.uniform(0.01, 0.05))
    return {"low": low, "high": high, "level": 0.95, "method": CI_METHOD, "resamples": 10000}


def result_document(b: int, m: int, inline_outcomes: bool) -> dict:
    """What ``Result.model_dump(mode="json", exclude_none=True)`` gives for this result, in its order."""
    rng = random.Random(b * 1_000_003 + m)
    task_type, primary, secondary, details_key, fields = task_of(b)
    org, name = model_of(m)
    base = 0.3 + 0.6 * ((m * 2654435761) % 1000) / 1000  # a model is about as good everywhere
    metrics = {metric: min(1.0, max(0.0, base + rng.uniform(-0.05, 0.05))) for metric in [primary, *secondary]}
    details = {}
    if details_key:
        names = LABELS if details_key == "per_class" else TYPES
        details[details_key] = {
            label: {"precision": rng.random(), "recall": rng.random(), "f1": rng.random(),
                    "support": float(rng.randrange(40, 140))}
            for label in names
        }  # fmt: skip
    document = {
        "format_version": 1, "kind": "result", "benchmark": benchmark_id(b), "benchmark_version": "1",
        "task_type": task_type,
        "model": {"name": name, "org": org, "link": f"https://huggingface.co/{org}/{name}", "revision": "main"},
        "source": "verified", "submission_id": submission_id(b, m), "primary_metric": primary, "metrics": metrics,
        "ci": {metric: _interval(rng, value) for metric, value in metrics.items()}, "details": details,
        "n": N_ITEMS, "metric_version": f"podium_{task_type} 1.0.0", "seed": rng.getrandbits(62),
        "evaluated_at": f"2026-11-{1 + m % 28:02d}T{m % 24:02d}:{b % 60:02d}:{m % 60:02d}Z",
    }  # fmt: skip
    if not inline_outcomes:  # where the backend puts them now: a file beside (never opened by the index)
        document["outcomes_file"] = f"{submission_id(b, m)}.outcomes.parquet"
        document["outcomes_sha256"] = hashlib.sha256(document["outcomes_file"].encode()).hexdigest()
    else:
        width = len(fields)
        document["outcomes"] = {
            "fields": fields,
            "values": [[rng.randrange(3) for _ in range(width)] for _ in range(N_ITEMS)],
        }
    return document


def result_json(document: dict) -> str:
    """``Result.to_json()``'s text for ``document`` (indented, outcomes on one compact line); orjson
    writes the same text as ``json.dumps(indent=2)`` here, ~30x faster (``check_format`` makes sure)."""
    data = dict(document)
    outcomes = data.pop("outcomes", None)
    text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
    if outcomes is not None:
        text = text[:-2] + ',\n  "outcomes": ' + orjson.dumps(outcomes).decode() + "\n}"
    return text + "\n"


def _write_benchmark(job: tuple[str, int, int, bool]) -> int:
    root, b, models, inline_outcomes = job
    folder = os.path.join(root, "eval-results", benchmark_id(b))
    os.makedirs(folder, exist_ok=True)
    card = Path(root) / "benchmarks" / benchmark_id(b) / "card.json"
    card.parent.mkdir(parents=True, exist_ok=True)
    card.write_text(card_json(b))
    for m in range(models):
        text = result_json(result_document(b, m, inline_outcomes))
        with open(os.path.join(folder, f"{submission_id(b, m)}.json"), "w") as fh:
            fh.write(text)
    return models


def check_format(inline_outcomes: bool) -> None:
    """The generated text is exactly what the backend would write for the same result."""
    from podium.schema import Result

    for b in range(len(TASKS)):
        document = result_document(b, 1, inline_outcomes)
        written = result_json(document)
        assert Result.model_validate(json.loads(written)).to_json() == written, f"format drifted ({task_of(b)[0]})"


def generate(root: Path, benchmarks: int, models: int, inline_outcomes: bool = False, processes: int = 2) -> int:
    """Write the dataset under ``root`` (a Podium data home); the number of result files."""
    check_format(inline_outcomes)
    (root / "eval-results").mkdir(parents=True, exist_ok=True)
    jobs = [(str(root), b, models, inline_outcomes) for b in range(benchmarks)]
    if processes > 1:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            return sum(pool.imap_unordered(_write_benchmark, jobs))
    return sum(map(_write_benchmark, jobs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the data home to fill (created)")
    parser.add_argument("--benchmarks", type=int, default=300)
    parser.add_argument("--models", type=int, default=3000)
    parser.add_argument("--inline-outcomes", action="store_true", help="today's format: 320 outcomes in each file")
    args = parser.parse_args()
    started = time.perf_counter()
    count = generate(args.folder, args.benchmarks, args.models, args.inline_outcomes)
    size = sum(e.stat().st_size for d in os.scandir(args.folder / "eval-results") for e in os.scandir(d.path))
    print(f"wrote {count:,} result files ({size / 1e9:.2f} GB) in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
