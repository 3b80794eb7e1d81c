"""The leaderboard space in a real browser (Debian's Chromium driven by Playwright) against a real
`podium serve` on a temporary data folder."""

import csv
import time
from pathlib import Path

import pytest
from conftest import REPO, copy_sample_home, require_chromium, run_podium, start_podium_serve

from podium.config import Home
from podium.leaderboard import Leaderboard
from podium.queue import RequestQueue
from podium.schema import ModelInfo
from podium.submissions import submit

SCREENSHOTS = REPO / "test-output" / "screenshots"

require_chromium()

playwright = pytest.importorskip("playwright.sync_api")


def _start_server(home: Path, env: dict | None = None):
    process, url, answered = start_podium_serve(home, env, "--interval", "0.5")
    return process, url + "/", answered


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = copy_sample_home(tmp_path_factory.mktemp("web"))
    token = run_podium("token", "create", "--name", "web", "--role", "submitter", home=home, check=True).stdout.strip()
    process, url, answered = _start_server(home)
    yield {"url": url, "home": home, "answered": answered, "token": token}
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(120_000)  # a busy 2-core machine; nothing here asserts speed
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    page.goto(server["url"])
    page.wait_for_selector("#leaderboard-table [role=gridcell]", timeout=120_000)
    yield page
    context.close()


ROWS_JS = """(id) => {
  const rows = {};
  for (const cell of document.querySelectorAll(`#${id} [role=gridcell][data-row]`)) {
    (rows[cell.dataset.row] ??= [])[Number(cell.dataset.col)] = cell.innerText.trim();
  }
  return Object.keys(rows).sort((a, b) => a - b).map((k) => rows[k].join("\\t"));
}"""


def _rows(page, table: str = "leaderboard-table") -> list[str]:
    """The rows a Gradio 6 dataframe shows, cells joined by tabs."""
    return page.evaluate(ROWS_JS, table)


def _name(cell: str) -> str:
    """A model cell's name: the cell shows it with a link to the model's own page after it (↗)."""
    return cell.removesuffix("↗").strip()


def _pick(page, elem_id: str, text: str) -> None:
    """Choose an option of a Gradio dropdown by (part of) its label. Checked and retried: a dropdown
    whose choices are refreshed on focus (the model picker) may re-render under the click."""
    field = page.locator(f"#{elem_id} input").first
    for _ in range(3):
        field.click()
        field.fill(text)
        page.locator("[role=option]", has_text=text).first.click()
        page.wait_for_timeout(200)
        if text in field.input_value():
            return
    raise AssertionError(f"could not pick {text!r} in #{elem_id}: it shows {field.input_value()!r}")


def _fill(page, elem_id: str, text: str) -> None:
    page.locator(f"#{elem_id} textarea, #{elem_id} input").first.fill(text)


def _wait_rows(page, predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    rows = []
    while time.monotonic() < deadline:
        rows = _rows(page)
        if predicate(rows):
            return rows
        page.wait_for_timeout(200)
    raise AssertionError(f"rows never matched: {rows}")


def test_serve_times_its_start_up(server):
    # How fast is bench/'s business (bench_frontend.py, bench_startup.py); the log says each step's time.
    log = (server["home"] / "serve.log").read_text()
    assert "web: built the page in" in log and "backend started in" in log and "started in" in log


def test_leaderboard_renders_the_sample_data(page):
    _pick(page, "benchmark-picker", "Financial News Sentiment")
    rows = _wait_rows(page, lambda r: any("finbert-tone-large" in x for x in r))
    assert len(rows) == 4
    assert "0.84 \u2013 0.92" in rows[0]  # the page's interval: an en dash between the bounds
    rank, model, score = rows[-1].split("\t")[:3]
    assert [rank, _name(model), score] == ["4", "baselines/majority-class", "0.4000"]  # four decimals, always
    assert "Top models" in page.inner_text("#ci-chart")
    about = page.inner_text("#table-title")
    assert "Text classification · 320 items · languages: en · version 1" in about
    assert "Is a financial news sentence good, bad or neutral" in about
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "leaderboard.png"), full_page=True)


def test_search_and_verified_filter_narrow_the_rows(page, server):
    home = server["home"]
    reported = home / "eval-results" / "by-hand" / "reported.json"
    reported.parent.mkdir(parents=True, exist_ok=True)
    reported.write_text(
        '{"benchmark": "fin-sentiment", "model": {"name": "hand-entered", "org": "paper"}, "source": "reported",'
        ' "primary_metric": "accuracy", "metrics": {"accuracy": 0.5, "macro_f1": 0.4}}'
    )
    _pick(page, "benchmark-picker", "Financial News Sentiment")
    _wait_rows(page, lambda r: any("paper/hand-entered" in x for x in r))  # appeared without a reload
    _fill(page, "search", "northwind")
    rows = _wait_rows(page, lambda r: len(r) == 1)
    assert "northwind/finbert-tone-large" in rows[0]
    _fill(page, "search", "no-such-model-anywhere")  # an empty table says why it is empty
    page.wait_for_function("document.querySelector('#row-count').innerText.includes('No model matches the search')")
    _fill(page, "search", "")
    _wait_rows(page, lambda r: len(r) == 5)
    page.locator("#verified-only input").check()
    rows = _wait_rows(page, lambda r: len(r) == 4)
    assert not any("hand-entered" in x for x in rows)
    reported.unlink()


def test_model_type_size_and_licence_are_columns_and_filters(page):
    _pick(page, "benchmark-picker", "Financial News Sentiment")
    rows = _wait_rows(page, lambda r: any("finbert-tone-large" in x for x in r))
    headers = {h.strip() for h in page.locator("#leaderboard-table th").all_inner_texts()}
    assert "Type" in headers and "Params (B)" not in headers  # (sizes on demand: the default columns fit 1440 px)
    assert "\tFine-tuned\t" in next(r for r in rows if "finbert-tone-large" in r)  # as the submitter described it
    page.locator("#columns-accordion").get_by_text("Columns shown").click()
    page.locator("#columns").get_by_label("Params (B)").check()
    rows = _wait_rows(page, lambda r: any("\tFine-tuned\t0.34\t" in x for x in r))
    page.locator("#model-filters").get_by_text("Filter models by type").click()
    page.locator("#filter-type").get_by_label("Fine-tuned").check()
    rows = _wait_rows(page, lambda r: len(r) == 1)
    assert "northwind/finbert-tone-large" in rows[0] and "(filtered)" in page.inner_text("#row-count")
    page.locator("#filter-type").get_by_label("Fine-tuned").uncheck()
    page.locator("#filter-size").get_by_label("Not given").check()  # the models that gave no size
    rows = _wait_rows(page, lambda r: len(r) >= 2 and not any("finbert" in x or "llama" in x for x in r))
    assert any("acme/tfidf-logreg" in x for x in rows)
    page.locator("#filter-size").get_by_label("Not given").uncheck()
    _wait_rows(page, lambda r: any("finbert-tone-large" in x for x in r) and any("llama" in x for x in r))


def test_csv_download_holds_the_rows_shown(page, tmp_path):
    _pick(page, "benchmark-picker", "Business News Entities")
    _fill(page, "search", "o")
    shown = _wait_rows(page, lambda r: len(r) == 2)  # northwind/deberta..., open-llm/...; not acme/crf-tagger
    with page.expect_download() as info:
        page.locator("#download-csv").click()
    path = tmp_path / "download.csv"
    info.value.save_as(path)
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["Model"] for r in rows] == [_name(x.split("\t")[1]) for x in shown]
    assert {r["Model"] for r in rows} == {"northwind/deberta-ner-large", "open-llm/llama-3-8b-instruct"}
    assert all(r["95% CI"] for r in rows)


def test_two_viewers_each_download_their_own_rows(browser, server, tmp_path):
    """The CSV of one viewer's filtered view is never another viewer's (one file per content)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(120_000)
    first, second = context.new_page(), context.new_page()
    for page in (first, second):
        page.goto(server["url"])
        page.wait_for_selector("#leaderboard-table [role=gridcell]")
        _pick(page, "benchmark-picker", "Business News Entities")
    _fill(first, "search", "o")
    _wait_rows(first, lambda r: len(r) == 2)
    _fill(second, "search", "acme")
    _wait_rows(second, lambda r: len(r) == 1)  # rendered after the first viewer's view
    for page, expected in ((first, 2), (second, 1)):
        with page.expect_download() as info:
            page.locator("#download-csv").click()
        path = tmp_path / f"download-{expected}.csv"
        info.value.save_as(path)
        with open(path, newline="") as fh:
            assert len(list(csv.DictReader(fh))) == expected
    context.close()


def test_a_benchmark_added_while_the_page_is_open_appears_in_the_pickers(page, server, tmp_path):
    data = tmp_path / "late.csv"
    data.write_text("id,text,label\n" + "".join(f"{i},text {i},{'yes' if i % 2 else 'no'}\n" for i in range(20)))
    run_podium("benchmark", "add", "--id", "late-arrival", "--name", "Late Arrival", "--task", "text_classification",
               "--data", str(data), home=server["home"], check=True)  # fmt: skip
    field = page.locator("#benchmark-picker input").first
    for _ in range(400):  # the open page learns of it without a reload (waits on the event; >= 2 minutes)
        field.click()
        page.locator("[role=option]").first.wait_for()
        if page.locator("[role=option]", has_text="Late Arrival").count():
            break
        page.keyboard.press("Escape")
        field.blur()  # the options open on focus
        page.wait_for_timeout(300)
    else:
        raise AssertionError("the new benchmark never reached the picker")
    page.locator("[role=option]", has_text="Late Arrival").first.click()
    page.wait_for_function("document.querySelector('#table-title').innerText.includes('Late Arrival')")
    page.get_by_role("tab", name="Submit").click()
    submit_field = page.locator("#submit-benchmark input").first
    submit_field.click()
    page.locator("[role=option]", has_text="Late Arrival").first.wait_for()


def test_a_user_submits_through_the_form_and_sees_the_new_row(page, server):
    page.get_by_role("tab", name="Submit").click()
    _pick(page, "submit-benchmark", "Filing Excerpt QA")
    page.wait_for_function("document.querySelector('#submit-info').innerText.includes('Filing Excerpt QA')")
    assert "needed" in page.inner_text("#api-token")
    assert page.locator("#submit-button").is_disabled()  # nothing to submit yet, and the hint says what is missing
    assert "upload a valid predictions file" in page.inner_text("#submit-hint")
    _fill(page, "model-name", "form-model")
    _fill(page, "model-org", "web")
    _fill(page, "model-params", "12 parameters")  # said beside the field, and the button waits for it
    page.wait_for_function("document.querySelector('#model-params-error')?.innerText.includes('parameters')")
    assert "12 parameters" in page.inner_text("#model-params-error")
    _fill(page, "model-params", "350M")
    page.wait_for_function("document.querySelector('#model-params-error').innerText.trim() === ''")
    _pick(page, "model-type", "Fine-tuned")
    _fill(page, "model-licence", "Apache-2.0")
    _fill(page, "api-token", server["token"])
    page.locator("#predictions-file input[type=file]").set_input_files(
        str(REPO / "samples/predictions/filing-qa/acme--bm25-extractive.csv")
    )
    page.wait_for_function("document.querySelector('#validation textarea').value.includes('valid: 320')")
    page.wait_for_function("!document.querySelector('#submit-button').disabled")
    assert "Ready to submit" in page.inner_text("#submit-hint")
    page.screenshot(path=str(SCREENSHOTS / "submit.png"), full_page=True)
    page.locator("#submit-button").click()
    page.wait_for_function("document.querySelector('#submission-status textarea').value.includes('Submission ')")
    status = page.locator("#submission-status textarea").input_value()
    request_id = status.split("Submission ")[1].split()[0]
    model = RequestQueue(Home.from_env(server["home"])).get(request_id).model
    assert (model.full_name, model.model_type, model.params_b, model.license) == (
        "web/form-model", "fine-tuned", 0.35, "Apache-2.0")  # fmt: skip
    page.wait_for_function(
        "document.querySelector('#submission-status textarea').value.includes('FINISHED')", timeout=120_000
    )
    # Where it stands, and a link that opens the leaderboard at its row.
    page.wait_for_function("document.querySelector('#submission-rank')?.innerText.includes('Rank ')")
    placed = page.inner_text("#submission-rank")
    rank, total = placed.split("Rank ")[1].split(" on ")[0].split(" of ")
    board = Leaderboard(Home.from_env(server["home"]))
    board.refresh()
    assert int(rank) == board.row_of("filing-qa", "web/form-model").rank and int(total) == len(board.table("filing-qa"))
    address = page.locator("#submission-rank a").first.get_attribute("href")
    assert address == "?benchmark=filing-qa&search=web%2Fform-model"
    page.goto(server["url"] + address)
    page.wait_for_function("document.querySelector('#table-title')?.innerText.includes('Filing Excerpt QA')")
    rows = _wait_rows(page, lambda r: len(r) == 1 and "web/form-model" in r[0])
    assert " \u2013 " in rows[0]  # its confidence interval
    page.get_by_role("tab", name="Queue").click()
    page.wait_for_selector("#queue-table [role=gridcell]")
    page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)


def test_a_bad_file_shows_the_row_error_and_creates_no_request(page, server, tmp_path):
    before = len(RequestQueue(Home.from_env(server["home"])).ids())
    bad = tmp_path / "bad.csv"
    ids = [f"fs-{i:04d}" for i in range(1, 321)]
    bad.write_text("id,prediction\n" + "".join(f"{i},{'Positve' if i == 'fs-0002' else 'neutral'}\n" for i in ids))
    page.get_by_role("tab", name="Submit").click()
    _pick(page, "submit-benchmark", "Financial News Sentiment")
    _fill(page, "model-name", "bad-model")
    _fill(page, "api-token", server["token"])
    page.locator("#predictions-file input[type=file]").set_input_files(str(bad))
    page.wait_for_function("document.querySelector('#validation textarea').value.includes('row 2')")
    message = page.locator("#validation textarea").input_value()
    assert "row 2: label 'Positve' is not one of negative, neutral, positive (did you mean 'positive'?)" in message
    page.wait_for_function("document.querySelector('#submit-hint').innerText.includes('valid predictions file')")
    assert page.locator("#submit-button").is_disabled()  # an invalid file cannot be submitted
    page.locator("#submit-button").click(force=True)  # (a click on the disabled button does nothing)
    page.wait_for_timeout(500)
    assert page.locator("#submission-status textarea").input_value() == ""
    assert len(RequestQueue(Home.from_env(server["home"])).ids()) == before


def test_a_script_tag_model_name_renders_as_text(page, server):
    name = "<img src=x onerror=alert(1)>"
    home = Home.from_env(server["home"])
    outcome = submit(home, "fin-sentiment", REPO / "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl",
                     ModelInfo(name=name, link="https://example.org/x"))  # fmt: skip
    assert outcome.created
    _pick(page, "benchmark-picker", "Financial News Sentiment")
    rows = _wait_rows(page, lambda r: any(name in x for x in r), timeout=120)
    assert any(name in x for x in rows)  # the characters themselves are shown
    assert page.query_selector_all("#leaderboard-table img") == []
    assert page.dialogs == []
    page.get_by_role("tab", name="Models").click()
    _pick(page, "model-picker", "<img")
    page.wait_for_selector("#model-results [role=gridcell]")
    assert page.query_selector_all("#model-results img") == []
    page.screenshot(path=str(SCREENSHOTS / "models.png"), full_page=True)
    page.get_by_role("tab", name="About").click()
    page.wait_for_selector("#about")
    page.screenshot(path=str(SCREENSHOTS / "about.png"), full_page=True)


def test_the_model_page_breaks_a_result_down_by_metric_and_entity_type(page):
    page.get_by_role("tab", name="Models").click()
    _pick(page, "model-picker", "northwind/deberta-ner-large")
    # the tables may still show the model picked before (the Models tab opens on one): wait for this one's
    page.wait_for_function(f"({ROWS_JS})('breakdown-metrics').length > 0 && ({ROWS_JS})('breakdown-metrics')[0]"
                           ".startsWith('F1\\t')", timeout=120_000)  # fmt: skip
    page.wait_for_function(f"({ROWS_JS})('breakdown-classes').some((row) => row.startsWith('LOC\\t'))",
                           timeout=120_000)  # fmt: skip
    metrics = _rows(page, "breakdown-metrics")
    assert metrics[0].startswith("F1\t0.95") and " \u2013 " in metrics[0] and len(metrics) == 3
    types = [row.split("\t")[0] for row in _rows(page, "breakdown-classes")]
    assert types == ["LOC", "MONEY", "ORG", "PER"]
    # its scores across its submissions, with their intervals
    page.wait_for_function("document.querySelector('#model-history')?.innerText.includes('by submission')")
    history = page.inner_text("#model-history")
    assert "Business News Entities — F1, by submission (oldest first)" in history and "95% interval" in history
    assert page.locator("#model-history .chart-whisker").count() == 1


def test_uploads_over_the_size_limit_are_refused_with_a_message(browser, tmp_path):
    home = copy_sample_home(tmp_path)
    process, url, _ = _start_server(home, env={"PODIUM_MAX_PREDICTIONS_MB": "0.005"})
    try:
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.goto(url)
        page.wait_for_selector("#leaderboard-table [role=gridcell]", timeout=120_000)
        page.get_by_role("tab", name="Submit").click()
        big = REPO / "samples/predictions/filing-qa/acme--bm25-extractive.csv"  # 5.7 KB > 5.1 KB
        page.locator("#predictions-file input[type=file]").set_input_files(str(big))
        page.wait_for_function("document.body.innerText.includes('exceed the maximum allowed size')")
        assert "upload a valid predictions file" in page.inner_text("#submit-hint")
        assert page.locator("#submit-button").is_disabled()
        assert RequestQueue(Home.from_env(home)).ids() == RequestQueue(Home.from_env(REPO)).ids()  # nothing new
        page.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_compare_tab_shows_the_paired_test(page, server):
    from podium.compare import compare_models
    from podium.leaderboard import Leaderboard

    page.get_by_role("tab", name="Compare").click()
    _pick(page, "compare-benchmark", "Financial News Sentiment")
    page.wait_for_function("document.querySelector('#compare-models').innerText.includes('finbert-tone-large')")
    page.locator("#compare-button").click()
    page.wait_for_selector("#compare-table [role=gridcell]", timeout=120_000)
    rows = _rows(page, "compare-table")
    assert len(rows) == 1
    cells = rows[0].split("\t")
    home = Home.from_env(server["home"])
    board = Leaderboard(home)
    board.refresh()
    expected = compare_models(home, board, "fin-sentiment", [cells[0], cells[1]])["pairs"][0]
    from podium.formatting import p_value

    assert cells[9] == "exact McNemar" and cells[7] == p_value(expected["p_value"])  # one notation
    assert "Best on Accuracy" in page.locator("#compare-summary textarea").input_value()
    matrix = _rows(page, "compare-matrix")  # a row per model, the pair's verdict in the other's column
    assert len(matrix) == 2 and matrix[0].split("\t")[0] in (cells[0], cells[1])
    verdicts = {row.split("\t")[0]: [c for c in row.split("\t")[1:] if c] for row in matrix}
    assert all(len(v) == 1 for v in verdicts.values())
    first, second = (verdicts[cells[0]][0], verdicts[cells[1]][0])
    assert (first, second) in (("▲ better", "▼ worse"), ("▼ worse", "▲ better")) or first == second
    page.screenshot(path=str(SCREENSHOTS / "compare.png"), full_page=True)


TOASTS_JS = """() => {
  window.podiumToasts = [];
  const seen = (node) => {
    if (!(node instanceof Element)) return;
    for (const toast of [node, ...node.querySelectorAll('*')]) {
      if (toast.matches('.toast-body, [data-testid="toast-body"]')) window.podiumToasts.push(toast.innerText);
    }
  };
  new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach(seen)))
    .observe(document.body, {childList: true, subtree: true});
}"""

HEADERS_JS = """() => [...document.querySelectorAll('#leaderboard-table th')]
  .map((th) => ({text: th.innerText.trim(), title: th.title})).filter((h) => h.text)"""


def test_a_hundred_rapid_benchmark_switches_show_no_error(page, server):
    """The page polls every 0.5 s here; a poll sent just before a switch used to carry the old
    benchmark's columns and come back as a red "Error" toast (about 1 switch in 8)."""
    log = server["home"] / "serve.log"
    log_before = log.stat().st_size
    page.evaluate(TOASTS_JS)
    names = ["Financial News Sentiment", "Business News Entities", "Filing Excerpt QA", "Company Documents QA"]
    field = page.locator("#benchmark-picker input").first
    for k in range(100):
        field.click()
        field.fill(names[k % 4][:12])
        page.locator("[role=option]", has_text=names[k % 4]).first.click()
        page.wait_for_timeout((k * 37) % 300)  # between 0 and 0.3 s: across the poll's phases
    page.wait_for_function("document.querySelector('#table-title').innerText.includes('Company Documents QA')")
    _wait_rows(page, lambda r: len(r) >= 1)
    page.wait_for_timeout(1500)  # a late poll's answer would land by now
    assert page.evaluate("window.podiumToasts") == []
    with open(log) as fh:
        fh.seek(log_before)
        written = fh.read()
    assert "Traceback" not in written and "Error" not in written, written[-2000:]


def test_columns_and_the_chart_say_what_their_numbers_mean(page):
    _pick(page, "benchmark-picker", "Business News Entities")
    page.wait_for_function("document.querySelector('#table-title').innerText.includes('Score: F1')")
    _wait_rows(page, lambda r: len(r) >= 3)
    # (the title and the table's header cells are drawn in separate frames: wait for this table's headers)
    page.wait_for_function("[...document.querySelectorAll('#leaderboard-table th')].some(th => th.title)"
                           " && [...document.querySelectorAll('#leaderboard-table th')]"
                           ".some(th => th.innerText.trim() === 'Precision' && th.title)")  # fmt: skip
    headers = {h["text"]: h["title"] for h in page.evaluate(HEADERS_JS)}
    assert {"Rank", "Rank (UB)", "Model", "Score", "95% CI", "Items", "Precision", "Recall"} <= set(headers), headers
    assert not {"n", "precision", "recall", "f1", "rouge_l", "exact_match"} & set(headers)  # no metric ids
    assert "95% interval" in headers["Rank (UB)"] and headers["Items"] == "Items scored."
    notes = page.inner_text("#column-notes")
    assert "Score: F1: Harmonic mean of precision and recall" in notes and "Items: Items scored." in notes
    chart = page.inner_text("#ci-chart")
    assert "whiskers: 95% interval" in chart and "0.50" in chart and "1.00" in chart  # a legend and an axis
    # Bold text in the font's full bold face (Gradio's own 600 face is a 5 KB subset: letters came from another font)
    bold_face = page.evaluate("""async () => { await document.fonts.ready; return [...document.fonts].some(
      (f) => f.family.includes('Source Sans Pro') && f.weight === '700' && f.status === 'loaded'); }""")
    weight = page.evaluate("getComputedStyle(document.querySelector('#table-title h3')).fontWeight")
    assert bold_face and weight == "700"
    assert "Best verified score over time" in chart  # the state-of-the-art line, and its records
    assert page.locator("#ci-chart .podium-progress li").count() >= 1
    assert "Use via API" not in page.inner_text("body")  # Gradio's list of the page's functions is not offered
    assert page.locator("#api-links a[href='/docs']").count() == 1


def test_the_chart_fits_a_phone_screen(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(120_000)
    phone = context.new_page()
    phone.goto(server["url"])
    phone.wait_for_selector("#ci-chart .chart-row")
    box = phone.evaluate("""() => {
      const chart = document.querySelector('#ci-chart .podium-chart');
      const right = Math.max(...[...chart.querySelectorAll('.chart-bar, .chart-whisker, .chart-value')]
        .map((e) => e.getBoundingClientRect().right));
      return {scroll: chart.scrollWidth, width: chart.clientWidth, right, edge: chart.getBoundingClientRect().right};
    }""")
    assert box["scroll"] <= box["width"] and box["right"] <= box["edge"] + 1, box  # bars, whiskers, values in view
    # The table's first four columns, rank, model, score and interval, are in view without scrolling sideways.
    headers = phone.evaluate("""() => [...document.querySelectorAll('#leaderboard-table th')]
      .filter((th) => th.innerText.trim()).map((th) => [th.innerText.trim(), th.getBoundingClientRect().right])""")
    assert [text for text, _ in headers[:4]] == ["Rank", "Model", "Score", "95% CI"], headers
    assert headers[3][1] <= 390, headers
    clipped = phone.evaluate("""() => [...document.querySelectorAll('#leaderboard-table [role=gridcell]')]
      .filter((c) => ['1', '3', '4'].includes(c.getAttribute('aria-colindex')))
      .map((c) => c.querySelector('span') || c).filter((s) => s.scrollWidth > s.clientWidth).map((s) => s.innerText)""")
    assert clipped == [], clipped  # rank, score and interval are never cut (a long model name may be)
    # Every tab is labelled and in view (none hides behind an unlabelled "..." menu).
    tabs = phone.evaluate("""() => [...document.querySelectorAll('#tabs [role=tab]')]
      .filter((t) => t.offsetParent !== null)
      .map((t) => [t.innerText.trim(), t.getBoundingClientRect().left, t.getBoundingClientRect().right])""")
    assert [name for name, _, _ in tabs] == ["Leaderboard", "Models", "Submit", "Compare", "Queue", "About"], tabs
    assert all(left >= 0 and right <= 390 for _, left, right in tabs), tabs
    phone.get_by_role("tab", name="About").click()  # reachable with one tap
    phone.wait_for_selector("#about")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.get_by_role("tab", name="Leaderboard").click()
    phone.wait_for_selector("#ci-chart .chart-row")
    phone.screenshot(path=str(SCREENSHOTS / "leaderboard-phone.png"), full_page=True)
    context.close()


def test_a_link_opens_the_view_it_names_and_model_names_open_their_page_here(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(120_000)
    page = context.new_page()
    page.goto(server["url"] + "?benchmark=biz-news-ner")
    page.wait_for_function("document.querySelector('#table-title')?.innerText.includes('Business News Entities')")
    link = page.locator("#leaderboard-table a", has_text="acme/crf-tagger").first
    assert link.get_attribute("href") == "?tab=models&model=acme%2Fcrf-tagger"  # this leaderboard's model page
    assert "underline" in link.evaluate("(a) => getComputedStyle(a).textDecorationLine")  # it looks like a link
    page.goto(server["url"] + link.get_attribute("href"))
    page.wait_for_function("document.querySelector('[role=tab][aria-selected=true]')?.innerText === 'Models'")
    assert page.locator("#model-picker input").first.input_value() == "acme/crf-tagger"
    page.wait_for_function(f"({ROWS_JS})('model-results').some((row) => row.includes('Business News Entities'))")
    page.wait_for_timeout(1000)  # (the address follows the user's own clicks once the named view is shown)
    page.get_by_role("tab", name="Compare").click()
    page.wait_for_function("new URL(location.href).searchParams.get('tab') === 'compare'")
    page.reload()
    page.wait_for_function("document.querySelector('[role=tab][aria-selected=true]')?.innerText === 'Compare'")
    context.close()


def test_every_tab_opens_on_the_same_benchmark_and_the_models_tab_opens_filled(page, server):
    """The default benchmark is the one with the most results (fin-sentiment here: 4 models, 3 elsewhere)."""
    assert "Financial News Sentiment" in page.inner_text("#table-title")
    for tab, picker in (("Submit", "submit-benchmark"), ("Compare", "compare-benchmark")):
        page.get_by_role("tab", name=tab).click()
        assert "Financial News Sentiment" in page.locator(f"#{picker} input").first.input_value()
    headers = page.evaluate("() => [...document.querySelectorAll('#compare-table th')].map((t) => t.innerText.trim())")
    assert "Model A" in headers and "1" not in headers  # named columns even before a comparison
    page.get_by_role("tab", name="Models").click()
    first = page.locator("#model-picker input").first.input_value()
    assert first
    page.wait_for_function(f"({ROWS_JS})('model-results').length > 0")  # the model shown has its results shown


# An axe-style contrast check: every visible text's colour against the background behind it (the
# first opaque one up the tree), WCAG AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold);
# disabled controls are exempt, as WCAG allows. Placeholders too.
CONTRAST_JS = (Path(__file__).parent / "contrast.js").read_text()


@pytest.mark.parametrize("width", [1440, 390])
def test_every_tab_passes_wcag_aa_contrast(browser, server, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(120_000)
    page = context.new_page()
    page.goto(server["url"])
    page.wait_for_selector("#leaderboard-table [role=gridcell]")
    failures = {}
    for tab in ["Leaderboard", "Models", "Submit", "Compare", "Queue", "About"]:
        tab_button = page.get_by_role("tab", name=tab)
        if not tab_button.is_visible():  # on a phone some tabs sit behind Gradio's "..." menu
            continue
        tab_button.click()
        page.wait_for_function("(name) => document.querySelector('[role=tab][aria-selected=true]')?.innerText === name",
                               arg=tab)  # fmt: skip
        page.wait_for_timeout(500)
        found = page.evaluate(CONTRAST_JS)
        if found:
            failures[tab] = found
    assert failures == {}, failures
    context.close()


def test_the_pages_own_files_are_served_from_memory_and_kept_by_browsers(server):
    """Gradio's files are named by their content: the same bytes and headers every time, cached a year;
    a name that is not one of them is answered by Gradio (404), and never kept."""
    import re

    import httpx

    page = httpx.get(server["url"]).text
    asset = re.search(r'src="\./(assets/index-[^"]+\.js)"', page).group(1)
    first, again = (httpx.get(server["url"] + asset, headers={"Accept-Encoding": "br"}) for _ in range(2))
    assert first.status_code == again.status_code == 200 and first.content == again.content and first.content
    assert again.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert "javascript" in first.headers["content-type"]
    plain = httpx.get(server["url"] + asset, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and b"import" in plain.content  # each encoding kept apart
    for _ in range(2):
        missing = httpx.get(server["url"] + "assets/no-such-file-123.js")
        assert missing.status_code == 404 and "immutable" not in missing.headers.get("cache-control", "")
