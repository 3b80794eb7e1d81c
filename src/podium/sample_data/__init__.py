"""The words, templates, cards and sample models the sample generator (``podium.samples``) draws from.

Plain text files hold one item per line, in the order the generator draws from them (blank lines
are skipped); JSON files hold what needs structure. The files ship as package data and are read
with ``importlib.resources``, so they are found wherever the package is installed.

==========================  =================================================================
``companies.txt``           legal names; the last word is the legal form ("Nordic Steel Oyj")
``first_names.txt``         given names of the people in the news
``last_names.txt``          family names
``cities.txt``              head-office and meeting cities
``regions.txt``             markets ("Europe", "the Nordic countries")
``financial_metrics.txt``   what companies report ("net sales", "order intake")
``products.txt``            what companies are known for
``quarters.txt``            "first" to "fourth"
``months.txt``              "January" to "December"
``sentiment_<label>.txt``   news sentences of that label; ``{co}``, ``{money}``, ... are filled in
``ner_templates.txt``       tokens separated by spaces; ``{PER}``, ``{ORG}``, ``{LOC}``,
                            ``{MONEY}`` become entities, ``{MONTH}`` a plain word
``qa_questions.json``       question and answer templates over a company profile
``qa_answer_openers.txt``   what a verbose model says before its answer
``cards.json``              the four benchmark cards, by benchmark id, in the order they are made
``models.json``             the sample models of each benchmark: org, name, file format and how
                            good they are (``skill``; ``bias``, ``verbose`` where they apply)
==========================  =================================================================
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

SENTIMENT_LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Vocabulary:
    """The word lists and templates, as the generator uses them."""

    companies: list[tuple[str, str]]  # (name, legal form)
    first_names: list[str]
    last_names: list[str]
    cities: list[str]
    regions: list[str]
    financial_metrics: list[str]
    products: list[str]
    quarters: list[str]
    months: list[str]
    sentiment_templates: dict[str, list[str]]  # by label, in SENTIMENT_LABELS order
    ner_templates: list[list[str]]  # tokens
    qa_questions: list[dict[str, Any]]  # {"question": template, "answers": [template, ...]}
    qa_answer_openers: list[str]


def read_text(name: str) -> str:
    """The text of the data file ``name``."""
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def read_lines(name: str) -> list[str]:
    """The items of the plain text file ``name``: one a line, blank lines skipped."""
    return [line.strip() for line in read_text(name).splitlines() if line.strip()]


def read_json(name: str) -> Any:
    return json.loads(read_text(name))


def load_vocabulary() -> Vocabulary:
    """Read every word list and template."""
    return Vocabulary(
        companies=[_name_and_form(line) for line in read_lines("companies.txt")],
        first_names=read_lines("first_names.txt"),
        last_names=read_lines("last_names.txt"),
        cities=read_lines("cities.txt"),
        regions=read_lines("regions.txt"),
        financial_metrics=read_lines("financial_metrics.txt"),
        products=read_lines("products.txt"),
        quarters=read_lines("quarters.txt"),
        months=read_lines("months.txt"),
        sentiment_templates={label: read_lines(f"sentiment_{label}.txt") for label in SENTIMENT_LABELS},
        ner_templates=[line.split() for line in read_lines("ner_templates.txt")],
        qa_questions=read_json("qa_questions.json"),
        qa_answer_openers=read_lines("qa_answer_openers.txt"),
    )


def load_cards() -> dict[str, dict[str, Any]]:
    """The sample benchmark cards (without their id), by benchmark id, in the order they are made."""
    return read_json("cards.json")


def load_models() -> dict[str, list[dict[str, Any]]]:
    """The sample models of each benchmark: ``org``, ``name``, ``format`` and their skill parameters."""
    return read_json("models.json")


def _name_and_form(legal_name: str) -> tuple[str, str]:
    name, form = legal_name.rsplit(" ", 1)
    return name, form
