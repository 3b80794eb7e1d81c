"""`podium score` stays cheap: it loads the scorer only, never evaluate, datasets or the web stack.

(How long it takes is measured by bench/bench_startup.py; here only what it imports.)
Each check runs in a fresh interpreter: a module imported once stays in ``sys.modules``.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# Each costs from a tenth of a second (fastapi) to 1.5 s (evaluate, with datasets and scipy).
HEAVY = ("evaluate", "datasets", "scipy", "sklearn", "gradio", "fastapi", "uvicorn", "starlette", "huggingface_hub")
SAMPLES = [
    ("fin-sentiment", "acme--tfidf-logreg.jsonl"),
    ("biz-news-ner", "acme--crf-tagger.csv"),
    ("filing-qa", "northwind--rag-reader-xl.csv"),
    ("company-docs-qa", "open-llm--llama-3-8b-instruct.jsonl"),
]


def _score_and_list_imports(home, benchmark: str, predictions: str, *options: str) -> tuple[int, str, list[str]]:
    program = textwrap.dedent(
        f"""
        import json, sys
        from podium.cli import main
        code = main(["--home", {str(home)!r}, "score", {benchmark!r},
                     {str(home / "samples/predictions" / benchmark / predictions)!r}, *{list(options)!r}])
        loaded = sorted({{name.split(".")[0] for name in sys.modules}})
        print(json.dumps(loaded), file=sys.stderr)
        sys.exit(code)
        """
    )
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(("benchmark", "predictions"), SAMPLES, ids=[b for b, _ in SAMPLES])
def test_podium_score_imports_no_evaluate_datasets_or_web_stack(sample_home, benchmark, predictions):
    code, out, loaded = _score_and_list_imports(sample_home, benchmark, predictions, "--json")
    assert code == 0
    assert json.loads(out)["benchmark"] == benchmark  # it really scored
    assert [name for name in HEAVY if name in loaded] == []


def test_the_text_report_imports_none_of_them_either(sample_home):
    code, out, loaded = _score_and_list_imports(sample_home, "fin-sentiment", "baselines--majority-class.csv")
    assert code == 0 and "accuracy" in out
    assert [name for name in HEAVY if name in loaded] == []


KEEP_PANDAS_OUT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from podium.errors import InvalidPredictions
    from podium.predictions import keep_pandas_out_of_pyarrow, read_predictions
    kept = keep_pandas_out_of_pyarrow()
    read = {}
    for path in sys.argv[1:]:
        raw = read_predictions(Path(path), 10**9)
        read[path] = [raw.ids.to_pylist(), raw.values_list()]
    before_fallback = "pandas" in sys.modules
    try:  # a ragged row: Arrow refuses it, and the fallback parser (pandas) says where
        read_predictions(Path(sys.argv[1]).with_name("ragged.csv"), 10**9)
        message = None
    except InvalidPredictions as exc:
        message = str(exc)
    print(json.dumps({"kept": kept, "read": read, "pandas before the fallback": before_fallback,
                      "fallback message": message, "pandas after": "pandas" in sys.modules}))
    """
)


def test_pyarrow_can_read_predictions_without_importing_pandas(sample_home, tmp_path):
    from podium.predictions import read_predictions

    files = sorted(str(p) for p in (sample_home / "samples/predictions").glob("*/*"))
    (tmp_path / "ragged.csv").write_text("id,prediction\nfs-0001,neutral\nfs-0002,neutral,extra,more\n")
    first = tmp_path / files[0].rsplit("/", 1)[1]
    first.write_bytes(Path(files[0]).read_bytes())  # beside ragged.csv
    proc = subprocess.run(
        [sys.executable, "-c", KEEP_PANDAS_OUT, str(first), *files], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["kept"] and not out["pandas before the fallback"]
    for path in files:  # the same ids and values as read here, where pyarrow has pandas
        raw = read_predictions(Path(path), 10**9)
        assert out["read"][path] == [raw.ids.to_pylist(), raw.values_list()]
    assert "line 3: malformed CSV" in out["fallback message"] and out["pandas after"]  # still there when needed


def test_scores_are_the_same_when_pyarrow_goes_without_pandas(sample_home):
    """What the backend's scoring processes do (and `podium score` may): the same numbers."""
    from podium.config import Home
    from podium.scoring import score_file

    program = textwrap.dedent(
        f"""
        import json
        from pathlib import Path
        from podium.predictions import keep_pandas_out_of_pyarrow
        assert keep_pandas_out_of_pyarrow()  # first: pyarrow never looks for pandas again
        from podium.config import Home
        from podium.scoring import score_file
        home = Home.from_env(Path({str(sample_home)!r}))
        print(json.dumps({{f"{{b}}/{{p}}": score_file(home, b, home.root / "samples/predictions" / b / p).to_json()
                          for b, p in {SAMPLES!r}}}))
        """
    )
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    scored = json.loads(proc.stdout)
    home = Home.from_env(sample_home)
    for benchmark, predictions in SAMPLES:
        here = score_file(home, benchmark, home.root / "samples/predictions" / benchmark / predictions)
        there = json.loads(scored[f"{benchmark}/{predictions}"])
        assert {**there, "evaluated_at": None} == {**json.loads(here.to_json()), "evaluated_at": None}
