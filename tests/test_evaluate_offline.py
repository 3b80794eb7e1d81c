"""Metrics load through evaluate's real loading path by absolute path, with no network at all."""

import json
import os
import subprocess
import sys
import textwrap

from podium.metrics import METRIC_MODULES, module_path

NETWORK_VARIABLES = (
    "HF_HUB_OFFLINE",
    "HF_EVALUATE_OFFLINE",
    "HF_DATASETS_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "HF_ENDPOINT",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
)

PROGRAM = textwrap.dedent(
    """
    import json, socket, sys, time
    attempts = []
    def refuse(self, address, *args, **kwargs):
        attempts.append(repr(address))
        raise OSError("network disabled by the test")
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = lambda address, *a, **k: refuse(None, address)
    started = time.perf_counter()
    import evaluate
    out = {}
    for path in sys.argv[1:]:
        metric = evaluate.load(path)
        out[path] = type(metric).__name__
    out["seconds"] = time.perf_counter() - started
    out["attempts"] = attempts
    print(json.dumps(out))
    """
)


def test_evaluate_load_by_path_never_touches_the_network(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in NETWORK_VARIABLES}
    env["HF_HOME"] = str(tmp_path / "hf")  # an empty cache: nothing to fall back on
    paths = [str(module_path(name)) for name in METRIC_MODULES]
    proc = subprocess.run([sys.executable, "-c", PROGRAM, *paths], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["attempts"] == []
    assert [out[p] for p in paths] == ["PodiumClassification", "PodiumNer", "PodiumQa"]
    assert out["seconds"] < 120  # a sanity bound: the point is that nothing was attempted


def test_scoring_a_sample_never_touches_the_network(home, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in NETWORK_VARIABLES}
    env["HF_HOME"] = str(tmp_path / "hf")
    program = textwrap.dedent(
        f"""
        import socket, sys
        def refuse(self, address, *a, **k):
            raise SystemExit(f"network access attempted: {{address}}")
        socket.socket.connect = refuse
        from podium.cli import main
        sys.exit(main(["--home", {str(home)!r}, "score", "fin-sentiment",
                       {str(home / "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl")!r}, "--json"]))
        """
    )
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["benchmark"] == "fin-sentiment"


def test_scoring_path_does_not_import_the_web_stack(home):
    program = textwrap.dedent(
        f"""
        import sys
        from podium.cli import main
        code = main(["--home", {str(home)!r}, "score", "biz-news-ner",
                     {str(home / "samples/predictions/biz-news-ner/acme--crf-tagger.csv")!r}])
        loaded = [m for m in ("gradio", "fastapi", "uvicorn", "starlette") if m in sys.modules]
        print("LOADED", loaded)
        sys.exit(code)
        """
    )
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "LOADED []" in proc.stdout
