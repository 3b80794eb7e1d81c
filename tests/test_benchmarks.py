"""Creating benchmarks from CSV, JSONL and Parquet; gold answers stay private."""

import json

import pandas as pd
import pytest
from conftest import run_podium, run_podium_process

from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.errors import BenchmarkError
from podium.schema import BenchmarkCard

ROWS = [
    {"id": "001", "sentence": "Profit rose.", "label": "positive"},
    {"id": "002", "sentence": "NA", "label": "negative"},
    {"id": "003", "sentence": "Meeting on Friday.", "label": "neutral"},
]


def _write(tmp_path, fmt):
    frame = pd.DataFrame(ROWS)
    path = tmp_path / f"data.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path)
    return path


@pytest.mark.parametrize("fmt", [pytest.param("csv", marks=pytest.mark.heavy), "jsonl", "parquet"])
def test_add_from_each_format_keeps_ids_as_text_and_gold_private(fmt, tmp_path):
    home = tmp_path / "home"
    run = run_podium_process if fmt == "csv" else run_podium  # once through the console script itself
    proc = run(
        "benchmark",
        "add",
        "--id",
        "tiny-sent",
        "--name",
        "Tiny",
        "--task",
        "text_classification",
        "--data",
        str(_write(tmp_path, fmt)),
        "--column",
        "text=sentence",
        "--languages",
        "en,fi",
        home=home,
    )
    assert proc.returncode == 0, proc.stderr
    store = BenchmarkStore(Home.from_env(home))
    card = store.card("tiny-sent")
    assert card.n_items == 3 and card.labels == ["negative", "neutral", "positive"]
    assert card.languages == ["en", "fi"] and card.secondary_metrics == ["macro_f1"]
    gold = store.gold("tiny-sent")
    assert gold.ids.to_pylist() == ["001", "002", "003"]  # "001" is not turned into 1
    assert gold.gold.to_pylist() == ["positive", "negative", "neutral"]
    assert store.inputs("tiny-sent")["text"].tolist()[1] == "NA"  # not read as a missing value
    public = sorted(p.name for p in (home / "benchmarks/tiny-sent").iterdir())
    assert public == ["card.json", "inputs.jsonl", "inputs.parquet"]
    inputs_bytes = (home / "benchmarks/tiny-sent/inputs.parquet").read_bytes()
    assert b"positive" not in inputs_bytes and b"label" not in inputs_bytes
    assert (home / "private/tiny-sent/gold.parquet").is_file()

    out = tmp_path / "inputs.jsonl"
    assert run_podium("benchmark", "export-inputs", "tiny-sent", "-o", str(out), home=home).returncode == 0
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert exported == [{"id": r["id"], "text": r["sentence"]} for r in ROWS]

    listing = run_podium("benchmark", "list", home=home)
    assert "tiny-sent" in listing.stdout and "text_classification" in listing.stdout and " v1 " in listing.stdout


def test_export_inputs_as_csv_joins_ner_tokens(home, tmp_path):
    out = tmp_path / "ner.csv"
    assert run_podium("benchmark", "export-inputs", "biz-news-ner", "-o", str(out), home=home).returncode == 0
    frame = pd.read_csv(out, dtype=str)
    assert list(frame.columns) == ["id", "tokens"] and len(frame) == 320
    assert "B-" not in out.read_text()


def test_existing_benchmark_is_not_overwritten_without_replace(home, tmp_path):
    proc = run_podium(
        "benchmark",
        "add",
        "--id",
        "fin-sentiment",
        "--task",
        "text_classification",
        "--data",
        str(_write(tmp_path, "csv")),
        "--column",
        "text=sentence",
        home=home,
    )
    assert proc.returncode == 2 and "already exists" in proc.stderr


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "a/b", "/abs", "UPPER", "x" * 101, "bad\x00id", "..", ""])
def test_unsafe_benchmark_ids_are_refused(bad_id, tmp_path):
    proc = (
        run_podium(
            "benchmark",
            "add",
            "--id",
            bad_id,
            "--task",
            "text_classification",
            "--data",
            str(_write(tmp_path, "csv")),
            "--column",
            "text=sentence",
            home=tmp_path / "home",
        )
        if "\x00" not in bad_id
        else None
    )
    if proc is not None:
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "home" / "benchmarks").exists() or not any((tmp_path / "home/benchmarks").iterdir())
    with pytest.raises(ValueError):
        BenchmarkCard(id=bad_id, name="x", task_type="ner", primary_metric="f1")


def test_bad_benchmark_data_names_the_row(tmp_path):
    store = BenchmarkStore(Home.from_env(tmp_path))
    card = BenchmarkCard(id="t", name="t", task_type="ner", primary_metric="f1")
    table = pd.DataFrame({"id": ["a", "b"], "tokens": [["x", "y"], ["z"]], "tags": [["B-X", "I-X"], ["X-Y"]]})
    with pytest.raises(BenchmarkError, match="row 2: malformed tag 'X-Y'"):
        store.add(card, table)
    table = pd.DataFrame({"id": ["a", "a"], "tokens": [["x"], ["z"]], "tags": [["O"], ["O"]]})
    with pytest.raises(BenchmarkError, match="row 2: duplicate id 'a'"):
        store.add(card, table)
    table = pd.DataFrame({"id": ["a"], "tokens": [["x", "y"]], "tags": [["O"]]})
    with pytest.raises(BenchmarkError, match="row 1: 1 tags for 2 tokens"):
        store.add(card, table)
    assert store.list() == []
    assert not (tmp_path / "private" / "t").exists() or not (tmp_path / "benchmarks" / "t").exists()


def test_chatbot_documents_are_public_and_exported(home, tmp_path):
    out = tmp_path / "cd.jsonl"
    proc = run_podium("benchmark", "export-inputs", "company-docs-qa", "-o", str(out), home=home)
    assert proc.returncode == 0
    docs = [json.loads(x) for x in (tmp_path / "cd-documents.jsonl").read_text().splitlines()]
    assert len(docs) == 40 and {"id", "title", "text"} <= set(docs[0])
    first = json.loads(out.read_text().splitlines()[0])
    assert set(first) == {"id", "question", "document_ids"}


def test_version_and_help_of_every_command(home):
    version = run_podium("--version", home=home)
    assert version.returncode == 0 and version.stdout.startswith("podium 0.")
    commands = [["score"], ["benchmark", "add"], ["benchmark", "list"], ["submit"], ["status"], ["queue"],
                ["backend"], ["leaderboard"], ["serve"], ["token", "create"]]  # fmt: skip
    for command in commands:
        shown = run_podium(*command, "--help", home=home)
        assert shown.returncode == 0 and "usage: podium" in shown.stdout, command


def test_replacing_a_benchmark_bumps_its_version_exactly_when_the_gold_answers_change(home, tmp_path):
    data = tmp_path / "tiny.csv"

    def add(text: str, *extra: str):
        data.write_text(text)
        return run_podium("benchmark", "add", "--id", "tiny", "--task", "text_classification", "--data", str(data),
                          "--labels", "a,b", *extra, home=home, check=True).stdout  # fmt: skip

    original = "id,text,label\n1,x,a\n2,y,b\n3,z,a\n"
    assert "version 1" in add(original)
    created = BenchmarkCard.read(home / "benchmarks/tiny/card.json").created_at
    predictions = tmp_path / "p.csv"
    predictions.write_text("id,prediction\n1,a\n2,b\n3,a\n")
    run_podium("submit", "tiny", str(predictions), "--model", "early/model", home=home, check=True)
    run_podium("backend", "--once", home=home, check=True)

    assert "version 1" in add(original, "--replace")  # the same items: nothing to invalidate
    assert [r["model"] for r in _rows(home, "tiny")] == ["early/model"]
    assert "version 2" in add(original.replace("3,z,a", "3,z,b"), "--replace")  # a gold answer changed
    assert _rows(home, "tiny") == []  # the early result was scored on version 1
    assert BenchmarkCard.read(home / "benchmarks/tiny/card.json").created_at == created
    assert "version 7" in add(original, "--replace", "--version", "7")  # an explicit version wins


def _rows(home, benchmark):
    return json.loads(run_podium("leaderboard", benchmark, "--json", home=home, check=True).stdout)
