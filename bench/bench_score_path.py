"""Where `podium score` spends its time on 1,000,000 rows, piece by piece, against reading the file.

The reference is ``pyarrow.csv.read_csv`` of the same predictions file in the same process (what
any tool pays to look at the file at all). Each piece of ``podium.scoring.score_raw`` is timed on
its own, and the two figures issue 10 sets a bar for are printed beside it:

- id matching: ``match_ids`` plus putting the predictions in benchmark order (``validate`` minus
  the task's label check), with the benchmark's side of the match (``predictions._ItemIndex``)
  already built, as in a warm scoring process, and built first, as in a one-off ``podium score``;
- outcome keeping: what ``keep_outcomes=True`` adds to the task's scoring (its per-item outcomes,
  a list of rows for ``podium.schema.Outcomes``): ``task.score`` with outcomes minus without;
  ``score_raw`` with and without outcomes is printed too.

Each figure is the median of the steps run in turn (interleaved), in wall time (what the target
is about) and in process CPU time (steadier when other work shares the machine; it counts every
thread, so Arrow's multi-threaded reader looks slower in it than in wall time).

Run: .venv/bin/python bench/bench_score_path.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classification import LABELS, make_benchmark  # noqa: E402

from podium.benchmarks import BenchmarkStore  # noqa: E402
from podium.config import Home  # noqa: E402
from podium.predictions import match_ids, read_predictions  # noqa: E402
from podium.scoring import score_raw, validate  # noqa: E402
from podium.tasks import get_task  # noqa: E402

READ = "pyarrow.csv.read_csv (the reference)"
RESAMPLES = 1_000  # the intervals are not what is measured here (bench_classification.py times them)


def interleaved_medians(steps: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple[float, float]]:
    """The median wall time and process CPU time of each step, the steps run in turn ``repeat``
    times (after one warm-up round), so a machine busy with other work slows them alike. (CPU
    time counts every thread: Arrow's CSV reader uses several.)"""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in steps}
    for round_ in range(repeat + 1):
        for name, step in steps.items():
            wall, cpu = time.perf_counter(), time.process_time()
            step()
            if round_:
                times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {
        name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
        for name, values in times.items()
    }


def write_predictions(path: Path, ids: np.ndarray, pred: np.ndarray, order: np.ndarray) -> None:
    with open(path, "w") as fh:
        fh.write("id,prediction\n")
        fh.writelines(f"{i},{p}\n" for i, p in zip(ids[order], np.array(LABELS)[pred[order]], strict=True))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n, repeat = args.rows, args.repeat
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        home = Home.from_env(tmp)
        gold, pred = make_benchmark(home, n, rng)
        ids = np.char.add("item-", np.arange(n).astype(str))
        path = Path(tmp) / "predictions.csv"
        write_predictions(path, ids, pred, rng.permutation(n))  # submitters' files are in any order
        gold_set = BenchmarkStore(home).gold("bench-cls")
        raw = read_predictions(path, home.max_predictions_bytes)
        task = get_task("text_classification")
        match = match_ids(raw, gold_set.ids, "bench-cls")
        checked = task.check(raw, match.position, gold_set)
        predictions = validate(gold_set, raw)

        def keep(flag: bool):
            return lambda: score_raw(gold_set, raw, seed_material="bench", resamples=RESAMPLES, keep_outcomes=flag)

        steps = {
            READ: lambda: pacsv.read_csv(path),
            "read_predictions (parse + UTF-8 check)": lambda: read_predictions(path, home.max_predictions_bytes),
            "match_ids": lambda: match_ids(raw, gold_set.ids, "bench-cls"),
            "match_ids, benchmark's index built first": lambda: (
                forget_item_indexes(),
                match_ids(raw, gold_set.ids, "b"),
            ),
            "task.check (labels to codes)": lambda: task.check(raw, match.position, gold_set),
            "benchmark order (codes[rows])": lambda: checked[match.rows],
            "task.score, no outcomes": lambda: task.score(gold_set, predictions, False),
            "task.score, with outcomes": lambda: task.score(gold_set, predictions, True),
            "score_raw, no outcomes": keep(False),
            "score_raw, with outcomes": keep(True),
        }
        pieces = interleaved_medians(steps, repeat)
        for name, (wall, cpu) in pieces.items():
            print(f"{n:,} rows: {name:<44} {wall * 1000:9.1f} ms   (process CPU {cpu * 1000:7.1f} ms)", flush=True)
        summary("wall", {name: wall for name, (wall, _) in pieces.items()})
        summary("CPU", {name: cpu for name, (_, cpu) in pieces.items()})


def forget_item_indexes() -> None:
    """The benchmark side of id matching is built once per gold set and kept (a warm scoring process
    scores many files of one benchmark); forgetting it times a one-off ``podium score``."""
    from podium import predictions

    predictions._ITEM_INDEXES.clear()


def summary(kind: str, pieces: dict[str, float]) -> None:
    read_file = pieces[READ]
    once = pieces["match_ids, benchmark's index built first"] + pieces["benchmark order (codes[rows])"]
    print(
        f"{kind}: id matching with the benchmark's index built first {once * 1000:.1f} ms = {once / read_file:.2f}x "
        "reading the file",
        flush=True,
    )
    matching = pieces["match_ids"] + pieces["benchmark order (codes[rows])"]
    keeping = max(pieces["task.score, with outcomes"] - pieces["task.score, no outcomes"], 0.0)
    print(
        f"{kind}: id matching + outcome keeping {(matching + keeping) * 1000:.1f} ms = "
        f"{(matching + keeping) / read_file:.2f}x reading the file (target <= 3x): id matching "
        f"{matching / read_file:.2f}x, outcome keeping {keeping / read_file:.2f}x; score_raw with outcomes / without "
        f"{pieces['score_raw, with outcomes'] / pieces['score_raw, no outcomes']:.2f}x",
        flush=True,
    )


if __name__ == "__main__":
    main()
