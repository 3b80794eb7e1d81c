"""The page's views in process (no browser): what the address opens, which tables may render math,
which links are shown. The browser tests (test_web.py) check the same on a real page."""

from types import SimpleNamespace

import pytest

from podium.config import Home
from podium.results import SAFE_LINK

pytestmark = pytest.mark.heavy  # builds the Gradio app


@pytest.fixture()
def app(home):
    from podium.web import build_app

    demo = build_app(Home.from_env(home))
    yield demo
    demo.podium_state.close()


def test_no_table_on_the_page_renders_math(app):
    """Gradio renders $$...$$ in markdown cells as LaTeX by default: a model name could draw another
    name, or a box over the page."""
    tables = [block for block in app.blocks.values() if type(block).__name__ == "Dataframe"]
    assert len(tables) >= 7
    assert all(table.latex_delimiters == [] for table in tables), [t.elem_id for t in tables]


def test_an_address_naming_a_model_added_after_the_page_was_built_opens_it(app, home):
    import gradio as gr

    from podium.web.app import view_from_address

    state = app.podium_state
    old = state.benchmark_choices()
    request = SimpleNamespace(query_params={"model": "acme/crf-tagger", "benchmark": "biz-news-ner"})
    tab, benchmark, model, *_ = view_from_address(state, request, None)
    assert tab.selected == "models" and benchmark.value == "biz-news-ner" and model.value == "acme/crf-tagger"
    assert "acme/crf-tagger" in model.choices or ("acme/crf-tagger", "acme/crf-tagger") in model.choices
    assert benchmark.choices == [(label, value) for label, value in old]  # the choices come with the value
    unknown = SimpleNamespace(query_params={"model": "nobody/none", "benchmark": "../../private", "tab": "x"})
    tab, benchmark, model, *_ = view_from_address(state, unknown, None)
    assert all(isinstance(part, type(gr.skip())) for part in (tab, benchmark, model))  # only known values


def test_links_are_http_addresses_without_a_line_break():
    assert SAFE_LINK.match("https://huggingface.co/org/model")
    assert not SAFE_LINK.match("https://x\n") and not SAFE_LINK.match("javascript:alert(1)")


def test_every_tab_opens_on_the_maintainers_pick_else_the_benchmark_with_most_results(home, tmp_path):
    from conftest import run_podium

    from podium.web.state import WebState

    assert WebState(Home.from_env(home)).default_benchmark() == "fin-sentiment"  # 4 results, the others 3
    data = tmp_path / "pick.csv"
    data.write_text("id,text,label\n" + "".join(f"{i},text {i},{'yes' if i % 2 else 'no'}\n" for i in range(20)))
    run_podium("benchmark", "add", "--id", "maintainers-pick", "--name", "Maintainer's Pick",
               "--task", "text_classification", "--data", str(data), "--featured", home=home, check=True)  # fmt: skip
    state = WebState(Home.from_env(home))
    assert state.cards["maintainers-pick"].featured is True
    assert state.default_benchmark() == "maintainers-pick"  # no results yet, but the maintainer's pick


def test_the_row_count_says_why_a_table_is_empty():
    from podium.web.leaderboard_tab import count_text

    assert count_text(1, "", False, ()) == "1 model" and count_text(4, "x", True, ()) == "4 models"
    assert count_text(2, "", False, (["api"], [], [])) == "2 models (filtered)"
    assert count_text(0, "zzz", False, ()) == "No model matches the search."
    assert count_text(0, " ", True, ([], ["up-to-3b"], [])) == "No model matches Verified only and the model filters."
    assert count_text(0, "", False, ([], [], [])) == "No results on this view yet."
