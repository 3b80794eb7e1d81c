"""Every bad predictions file gets a message naming the row and problem, exit code 2, and no writes."""

import hashlib
import json
from pathlib import Path

import pytest
from conftest import run_podium, run_podium_process


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _ids(home: Path, benchmark: str) -> list[str]:
    lines = (home / f"samples/data/{benchmark}.jsonl").read_text().splitlines()
    return [json.loads(line)["id"] for line in lines]


def _csv(rows) -> bytes:
    return ("id,prediction\n" + "".join(f"{i},{p}\n" for i, p in rows)).encode()


def _good_sentiment(home):
    return [(i, "neutral") for i in _ids(home, "fin-sentiment")]


def _cases(home):
    good = _good_sentiment(home)
    ids = [i for i, _ in good]
    ner = [json.loads(line) for line in (home / "samples/data/biz-news-ner.jsonl").read_text().splitlines()]

    def ner_file(mutate):
        rows = [{"id": r["id"], "prediction": ["O"] * len(r["tokens"])} for r in ner]
        mutate(rows)
        return ("\n".join(json.dumps(r) for r in rows) + "\n").encode()

    return {
        "empty": ("fin-sentiment", "p.csv", b"", "file: the file is empty"),
        "whitespace only": ("fin-sentiment", "p.csv", b"\n \n", "file: the file is empty"),
        "bad encoding": (
            "fin-sentiment",
            "p.csv",
            _csv(good[:3]) + "fs-9999,n\xe9utral\n".encode("latin-1"),
            "line 5: not valid UTF-8",
        ),
        "missing header": ("fin-sentiment", "p.csv", b"".join(_csv(good).split(b"\n", 1)[1:]), "header:"),
        "header only": ("fin-sentiment", "p.csv", b"id,prediction\n", "no predictions after the header"),
        "missing ids": ("fin-sentiment", "p.csv", _csv(good[:-3]), "3 benchmark items have no prediction"),
        "duplicate id": (
            "fin-sentiment",
            "p.csv",
            _csv(good + [(ids[0], "neutral")]),
            f"row {len(good) + 1}: id '{ids[0]}' already appeared in row 1",
        ),
        "unknown id": (
            "fin-sentiment",
            "p.csv",
            _csv(good + [("fs-9999", "neutral")]),
            f"row {len(good) + 1}: id 'fs-9999' is not in benchmark 'fin-sentiment'",
        ),
        "a file for another benchmark": (
            "fin-sentiment",
            "p.jsonl",
            ner_file(lambda rows: None),
            "file: none of the file's 320 ids is in benchmark 'fin-sentiment' (the file's look like 'bn-0001', "
            "the benchmark's like 'fs-0001'): is the file for another benchmark?",
        ),
        "label outside the set": (
            "fin-sentiment",
            "p.csv",
            _csv([(ids[0], "Positve")] + good[1:]),
            "row 1: label 'Positve' is not one of negative, neutral, positive (did you mean 'positive'?)",
        ),
        "ragged csv row": (
            "fin-sentiment",
            "p.csv",
            _csv(good[:2]) + b"fs-0003,neutral,extra,more\n",
            "line 4: malformed CSV",
        ),
        "jsonl syntax": (
            "fin-sentiment",
            "p.jsonl",
            b'{"id": "fs-0001", "prediction": "neutral"}\n{"id": "fs-0002", "prediction": neutral}\n',
            "line 2: not valid JSON",
        ),
        "jsonl missing field": (
            "fin-sentiment",
            "p.jsonl",
            b'{"id": "fs-0001", "label": "neutral"}\n',
            "line 1: missing field 'prediction' (it has 'id', 'label')",
        ),
        "ner tag count": (
            "biz-news-ner",
            "p.jsonl",
            ner_file(lambda rows: rows[4]["prediction"].append("O")),
            f"line 5: {len(ner[4]['tokens']) + 1} tags for {len(ner[4]['tokens'])} tokens",
        ),
        "ner malformed tag": (
            "biz-news-ner",
            "p.jsonl",
            ner_file(lambda rows: rows[2]["prediction"].__setitem__(1, "B_ORG")),
            "line 3: token 2: malformed tag 'B_ORG'",
        ),
        "ner unknown type": (
            "biz-news-ner",
            "p.jsonl",
            ner_file(lambda rows: rows[0]["prediction"].__setitem__(0, "B-ORGG")),
            "line 1: token 1: unknown entity type 'ORGG' in tag 'B-ORGG'",
        ),
        "qa prediction not a string": (
            "filing-qa",
            "p.jsonl",
            "".join(
                json.dumps({"id": i, "prediction": ["x"] if n == 7 else "x"}) + "\n"
                for n, i in enumerate(_ids(home, "filing-qa"), start=1)
            ).encode(),
            "line 7: prediction must be an answer string, got ['x']",
        ),
    }


CASE_NAMES = [
    "empty",
    "whitespace only",
    "bad encoding",
    "missing header",
    "header only",
    "missing ids",
    "duplicate id",
    "unknown id",
    "label outside the set",
    "ragged csv row",
    "jsonl syntax",
    "jsonl missing field",
    "ner tag count",
    "ner malformed tag",
    "ner unknown type",
    "qa prediction not a string",
]


@pytest.mark.parametrize("case", CASE_NAMES)
def test_bad_file_is_refused_with_its_row_and_exit_code_2(case, home, tmp_path):
    benchmark, name, data, expected = _cases(home)[case]
    path = tmp_path / name
    path.write_bytes(data)
    before = _snapshot(home)
    proc = run_podium("score", benchmark, str(path), home=home)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert expected in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _snapshot(home) == before


def test_file_over_the_size_limit_is_refused(home, tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(_csv(_good_sentiment(home)))
    proc = run_podium("score", "fin-sentiment", str(path), home=home, env={"PODIUM_MAX_PREDICTIONS_MB": "0.001"})
    assert proc.returncode == 2
    assert "file: the file is" in proc.stderr and "over the 0.0 MB limit" in proc.stderr


@pytest.mark.heavy
def test_unknown_benchmark_is_a_usage_error(home, tmp_path):
    """The console script itself: exit code 2 and a one-line message, no traceback."""
    path = tmp_path / "p.csv"
    path.write_bytes(b"id,prediction\n1,x\n")
    proc = run_podium_process("score", "no-such-benchmark", str(path), home=home)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error: ") and "no benchmark 'no-such-benchmark'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_many_problems_are_counted_and_the_first_ones_listed(home, tmp_path):
    good = _good_sentiment(home)
    path = tmp_path / "p.csv"
    path.write_bytes(_csv([(i, "meh") for i, _ in good]))
    proc = run_podium("score", "fin-sentiment", str(path), home=home)
    assert proc.returncode == 2
    assert f"({len(good)} problems)" in proc.stderr
    assert f"... and {len(good) - 10} more problems" in proc.stderr
