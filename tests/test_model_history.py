"""A model's history on its page: every scored submission, by benchmark, oldest first, with its
95% interval (``podium.history``, ``models_tab.score_history``, ``plots.history_chart``)."""

from conftest import REPO, run_podium

from podium.config import Home
from podium.history import model_history
from podium.queue import RequestQueue
from podium.web import models_tab
from podium.web.plots import history_chart
from podium.web.state import WebState

PREDICTIONS = REPO / "samples/predictions/fin-sentiment"


def history(home, model, **options):
    data = Home.from_env(home)
    return model_history(RequestQueue(data), data.results_dir, model, **options)


def test_every_scored_submission_is_charted_oldest_first(home):
    for revision, file in (("v1", "baselines--majority-class.csv"), ("v2", "acme--tfidf-logreg.jsonl"),
                           ("v3", "northwind--finbert-tone-large.csv")):  # fmt: skip
        proc = run_podium("submit", "fin-sentiment", str(PREDICTIONS / file), "--model", "lab/<b>climber</b>",
                          "--revision", revision, home=home)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    assert run_podium("backend", "--once", home=home).returncode == 0
    attempts = history(home, "lab/<b>climber</b>", exact=True)
    assert sorted(a.request.model.revision for a in attempts) == ["v1", "v2", "v3"]
    times = [a.request.created_at for a in attempts]
    assert times == sorted(times, reverse=True)  # newest first (to the second; within one, in any order)
    assert all(a.result is not None for a in attempts)
    assert history(home, "lab/other", exact=True) == []

    state = WebState(Home.from_env(home))
    try:
        series = models_tab.score_history(state, "lab/<b>climber</b>")
        ((title, table),) = series.items()
        assert title == "Financial News Sentiment — Accuracy, by submission (oldest first)"
        oldest_first = [a.request.model.revision for a in reversed(attempts)]
        assert [label.split(" · ")[1] for label in table["model"]] == oldest_first
        scores = {a.request.model.revision: a.result.score for a in attempts}
        assert list(table["score"]) == [scores[revision] for revision in oldest_first]
        assert len(set(table["score"])) == 3
        assert (table["ci_low"] <= table["score"]).all() and (table["score"] <= table["ci_high"]).all()
        chart = history_chart(series)
        assert chart.count('class="chart-row"') == 3 and "whisker" in chart
        assert "<b>" not in chart and "&lt;b&gt;" not in chart  # labels are dates and revisions, escaped
        assert "No scored submissions" in history_chart(models_tab.score_history(state, "nobody/none"))
        outputs = models_tab.render_model(state, "lab/<b>climber</b>")
        assert "by submission (oldest first)" in outputs[-1]
    finally:
        state.close()


def test_a_missing_result_file_leaves_the_submission_without_a_score(home):
    proc = run_podium("submit", "fin-sentiment", str(PREDICTIONS / "acme--tfidf-logreg.jsonl"), "--model", "lab/gone",
                      home=home)  # fmt: skip
    assert proc.returncode == 0
    assert run_podium("backend", "--once", home=home).returncode == 0
    (attempt,) = history(home, "lab/gone")
    (home / "eval-results" / attempt.request.result_file).unlink()
    (again,) = history(home, "lab/gone")
    assert again.result is None and again.request.status.value == "FINISHED"
