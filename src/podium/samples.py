"""The bundled sample data, made by a deterministic generator (``podium samples``).

Four benchmarks, one per task type, in the language of their domains, and several sample
models' predictions of varied quality:

- ``fin-sentiment``      text_classification: sentiment of financial news sentences;
- ``biz-news-ner``       ner: organisations, people, places and amounts in business news;
- ``company-docs-qa``    chatbot: questions answered from a collection of company profiles;
- ``filing-qa``          prompting: a question about the filing excerpt given with it.

The words, templates, cards and sample models are data files in ``podium/sample_data``; this
module only draws from them. Everything comes from seeded ``random.Random`` instances and lists
(never set order), so running the generator again writes byte-identical source files. The source
files go to ``samples/``; the benchmarks are then created from them with ``BenchmarkStore.add``,
the same path ``podium benchmark add`` takes.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable

from podium import atomic
from podium.config import Home
from podium.sample_data import SENTIMENT_LABELS, Vocabulary, load_cards, load_models, load_vocabulary

N_ITEMS = 320
LABEL_SHARES = [0.28, 0.42, 0.30]  # of SENTIMENT_LABELS: neutral news is the most common
ENTITY_TYPES = ["ORG", "PER", "LOC", "MONEY"]  # in the order a confused tagger picks a wrong one
DOCUMENTS_FILE = "data/company-docs-qa-documents.jsonl"


def _company(rng: random.Random, words: Vocabulary) -> str:
    name, form = rng.choice(words.companies)
    return f"{name} {form}" if rng.random() < 0.4 else name


def _person(rng: random.Random, words: Vocabulary) -> str:
    return f"{rng.choice(words.first_names)} {rng.choice(words.last_names)}"


def _money(rng: random.Random) -> str:
    return f"EUR {rng.randint(2, 900)}.{rng.randint(0, 9)} million"


# --------------------------------------------------------------------------- text classification


def _news_fields(rng: random.Random, words: Vocabulary) -> dict:
    """A value for every placeholder of the sentiment templates (all drawn, in this order, whatever the template)."""
    return dict(
        co=_company(rng, words),
        co2=_company(rng, words),
        pct=rng.randint(2, 35),
        metric=rng.choice(words.financial_metrics),
        q=rng.choice(words.quarters),
        region=rng.choice(words.regions),
        money=_money(rng),
        product=rng.choice(words.products),
        year=rng.randint(2019, 2025),
        n=rng.randint(40, 900),
        n2=rng.randint(1, 40) * 100,
        person=_person(rng, words),
        city=rng.choice(words.cities),
        day=rng.randint(1, 28),
        month=rng.choice(words.months),
    )


def _sentiment_items(rng: random.Random, words: Vocabulary) -> list[dict]:
    items = []
    for i in range(1, N_ITEMS + 1):
        label = rng.choices(SENTIMENT_LABELS, LABEL_SHARES)[0]
        text = rng.choice(words.sentiment_templates[label]).format(**_news_fields(rng, words))
        text = text[0].upper() + text[1:]
        items.append({"id": f"fs-{i:04d}", "text": text, "label": label})
    return items


def _sentiment_predictions(items: list[dict], model: dict, seed: int, words: Vocabulary) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for item in items:
        if model["bias"] == "majority":
            label = "neutral"
        elif rng.random() < model["skill"]:
            label = item["label"]
        else:
            others = [x for x in SENTIMENT_LABELS if x != item["label"]]
            label = "neutral" if "neutral" in others and rng.random() < 0.6 else rng.choice(others)
        out.append({"id": item["id"], "prediction": label})
    return out


# --------------------------------------------------------------------------- NER


def _entity_tokens(kind: str, rng: random.Random, words: Vocabulary) -> tuple[list[str], str | None]:
    if kind == "PER":
        return _person(rng, words).split(), "PER"
    if kind == "ORG":
        return _company(rng, words).split(), "ORG"
    if kind == "LOC":
        return rng.choice(words.cities + words.regions).split(), "LOC"
    if kind == "MONEY":
        return _money(rng).split(), "MONEY"
    return [rng.choice(words.months)], None  # MONTH: a plain word, not an entity


def _iob_tags(kind: str | None, length: int) -> list[str]:
    return ["O"] * length if kind is None else [f"B-{kind}"] + [f"I-{kind}"] * (length - 1)


def _ner_items(rng: random.Random, words: Vocabulary) -> list[dict]:
    items = []
    for i in range(1, N_ITEMS + 1):
        tokens, tags = [], []
        for piece in rng.choice(words.ner_templates):
            if piece.startswith("{"):
                entity_words, kind = _entity_tokens(piece[1:-1], rng, words)
                tokens += entity_words
                tags += _iob_tags(kind, len(entity_words))
            else:
                tokens.append(piece)
                tags.append("O")
        items.append({"id": f"bn-{i:04d}", "tokens": tokens, "tags": tags})
    return items


def _entity_end(tags: list[str], start: int) -> int:
    """Where the entity beginning at ``start`` ends (one past its last token)."""
    end = start + 1
    while end < len(tags) and tags[end].startswith("I-"):
        end += 1
    return end


def _mistag_entity(tags: list[str], start: int, end: int, rng: random.Random) -> None:
    """One of the mistakes a tagger makes on an entity: missed, wrong type, or wrong boundary."""
    error = rng.random()
    if error < 0.35:
        tags[start:end] = ["O"] * (end - start)  # missed
    elif error < 0.7:
        wrong = rng.choice([t for t in ENTITY_TYPES if t != tags[start][2:]])
        tags[start:end] = _iob_tags(wrong, end - start)
    elif end - start > 1:
        tags[end - 1] = "O"  # boundary: last token dropped
    else:
        tags[start] = "I-" + tags[start][2:]  # I- with no B- (still an entity)


def _tag_like_a_model(item: dict, skill: float, rng: random.Random) -> list[str]:
    """The gold tags with the mistakes a tagger of this skill makes."""
    gold, tags = item["tags"], list(item["tags"])
    i = 0
    while i < len(gold):
        if gold[i].startswith("B-"):
            end = _entity_end(gold, i)
            if rng.random() >= skill:
                _mistag_entity(tags, i, end, rng)
            i = end
        else:
            if item["tokens"][i][:1].isupper() and rng.random() > skill + 0.05:
                tags[i] = "B-ORG"  # a capitalised word taken for an organisation
            i += 1
    return tags


def _ner_predictions(items: list[dict], model: dict, seed: int, words: Vocabulary) -> list[dict]:
    rng = random.Random(seed)
    return [{"id": item["id"], "prediction": _tag_like_a_model(item, model["skill"], rng)} for item in items]


# --------------------------------------------------------------------------- QA


def _profiles(rng: random.Random, words: Vocabulary) -> list[dict]:
    """One made-up profile per company, in the order of the company list."""
    profiles = []
    for name, form in words.companies:
        profiles.append(
            {
                "company": name,
                "legal": f"{name} {form}",
                "ceo": _person(rng, words),
                "city": rng.choice(words.cities),
                "founded": rng.randint(1890, 2015),
                "employees": rng.randint(3, 250) * 100,
                "revenue": _money(rng),
                "product": rng.choice(words.products),
                "year": rng.randint(2021, 2024),
            }
        )
    return profiles


def _profile_text(p: dict) -> str:
    return (
        f"{p['legal']} was founded in {p['founded']} and is headquartered in {p['city']}. "
        f"The company is best known for {p['product']}. {p['ceo']} has served as chief executive "
        f"since {p['year']}. In its latest annual report the group employed {p['employees']:,} "
        f"people and reported revenue of {p['revenue']}."
    )


def _document_id(profile: dict) -> str:
    return profile["company"].lower().replace(" ", "-")


def _documents(profiles: list[dict]) -> list[dict]:
    return [{"id": _document_id(p), "title": p["legal"], "text": _profile_text(p)} for p in profiles]


def _qa_items(
    rng: random.Random, words: Vocabulary, profiles: list[dict], with_context: bool, prefix: str
) -> list[dict]:
    items = []
    for i in range(1, N_ITEMS + 1):
        profile = rng.choice(profiles)
        question = rng.choice(words.qa_questions)
        item = {
            "id": f"{prefix}-{i:04d}",
            "question": question["question"].format(**profile),
            "answers": [answer.format(**profile) for answer in question["answers"]],
        }
        if with_context:
            item["context"] = _profile_text(profile)
        else:
            item["document_ids"] = [_document_id(profile)]
        items.append(item)
    return items


def _answer_like_a_model(item: dict, items: list[dict], model: dict, rng: random.Random, words: Vocabulary) -> str:
    """Right (sometimes wrapped in a sentence), half right, or another question's answer."""
    gold = item["answers"][0]
    draw = rng.random()
    skill = model["skill"]
    if draw < skill:
        if rng.random() < model["verbose"]:
            return f"{rng.choice(words.qa_answer_openers)} {gold}."
        return gold
    if draw < skill + (1 - skill) / 2:
        tokens = gold.split()
        return " ".join(tokens[: max(1, len(tokens) // 2)]) if len(tokens) > 1 else "about " + gold
    return rng.choice(items)["answers"][0]


def _qa_predictions(items: list[dict], model: dict, seed: int, words: Vocabulary) -> list[dict]:
    rng = random.Random(seed)
    return [{"id": item["id"], "prediction": _answer_like_a_model(item, items, model, rng, words)} for item in items]


# --------------------------------------------------------------------------- writing

Predictor = Callable[[list[dict], dict, int, Vocabulary], list[dict]]
PREDICTORS: dict[str, Predictor] = {  # by task type
    "text_classification": _sentiment_predictions,
    "ner": _ner_predictions,
    "chatbot": _qa_predictions,
    "prompting": _qa_predictions,
}


def _jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


def _csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "prediction"])
    for r in rows:
        value = r["prediction"]
        writer.writerow([r["id"], " ".join(value) if isinstance(value, list) else value])
    return buf.getvalue()


def _benchmark_items(words: Vocabulary, profiles: list[dict]) -> dict[str, list[dict]]:
    """The items of every sample benchmark; each benchmark draws from its own seed."""
    return {
        "fin-sentiment": _sentiment_items(random.Random(1), words),
        "biz-news-ner": _ner_items(random.Random(2), words),
        "company-docs-qa": _qa_items(random.Random(4), words, profiles, False, "cd"),
        "filing-qa": _qa_items(random.Random(5), words, _profiles(random.Random(6), words), True, "fq"),
    }


def sample_files() -> dict[str, str]:
    """Every sample source file, by path relative to ``samples/``."""
    words, cards, models = load_vocabulary(), load_cards(), load_models()
    profiles = _profiles(random.Random(3), words)
    files = {DOCUMENTS_FILE: _jsonl(_documents(profiles))}
    seeds = random.Random(20240901)  # one prediction seed per sample model, drawn in order
    entries = []
    for benchmark, rows in _benchmark_items(words, profiles).items():
        card = cards[benchmark]
        files[f"data/{benchmark}.jsonl"] = _jsonl(rows)
        files[f"cards/{benchmark}.json"] = json.dumps({"id": benchmark, **card}, indent=2) + "\n"
        for model in models[benchmark]:
            predictions = PREDICTORS[card["task_type"]](rows, model, seeds.randint(0, 2**31), words)
            path = f"predictions/{benchmark}/{model['org']}--{model['name']}.{model['format']}"
            files[path] = _csv(predictions) if model["format"] == "csv" else _jsonl(predictions)
            entries.append(_models_entry(benchmark, model, path))
    files["models.json"] = json.dumps(entries, indent=2) + "\n"
    return files


def _models_entry(benchmark: str, model: dict, path: str) -> dict:
    """A sample model as ``samples/models.json`` lists it (what ``submit_samples`` submits)."""
    org, name = model["org"], model["name"]
    return {
        "benchmark": benchmark,
        "name": name,
        "org": org,
        "predictions": path,
        "link": f"https://huggingface.co/{org}/{name}",
        **{key: model[key] for key in ("model_type", "params", "license") if key in model},
    }


def generate(home: Home, force: bool = False) -> list[str]:
    """Write the sample files under ``home/samples``, create the four benchmarks and score the sample models."""
    write_sample_files(home, force)
    created = add_sample_benchmarks(home, force)
    submit_samples(home)
    return created


def write_sample_files(home: Home, force: bool = False) -> None:
    """Write every sample source file under ``home/samples`` (unchanged files are left alone)."""
    root = home.root / "samples"
    for relative, text in sample_files().items():
        path = root / relative
        if force or not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic.write_text(path, text)


def add_sample_benchmarks(home: Home, force: bool = False) -> list[str]:
    """Create the sample benchmarks from ``home/samples``; those already there are kept unless ``force``."""
    from podium.benchmarks import BenchmarkStore
    from podium.schema import BenchmarkCard

    root = home.root / "samples"
    store = BenchmarkStore(home)
    created = []
    for benchmark in load_cards():
        card = BenchmarkCard.model_validate(json.loads((root / f"cards/{benchmark}.json").read_text()))
        existing = {c.id for c in store.list()}
        if benchmark in existing and not force:
            continue
        documents = root / DOCUMENTS_FILE if benchmark == "company-docs-qa" else None
        store.add(card, root / f"data/{benchmark}.jsonl", documents=documents, replace=True)
        created.append(benchmark)
    return created


def submit_samples(home: Home) -> int:
    """Submit every sample model's predictions and score them: the path a user's submission takes."""
    from podium.backend import Backend
    from podium.submissions import model_info, submit

    queued = 0
    for m in sample_models(home):
        model = model_info(m["name"], org=m["org"], link=m["link"], model_type=m.get("model_type"),
                           params=m.get("params"), license=m.get("license"))  # fmt: skip
        outcome = submit(home, m["benchmark"], home.root / "samples" / m["predictions"], model, "podium-samples")
        queued += outcome.created
    if queued:
        backend = Backend(home)
        try:
            backend.run_once()
        finally:
            backend.stop()
    return queued


def sample_models(home: Home) -> list[dict]:
    """The sample models listed in ``home/samples/models.json``."""
    return json.loads((home.root / "samples" / "models.json").read_text(encoding="utf-8"))


def main() -> None:  # python -m podium.samples
    generate(Home.from_env(), force=True)


if __name__ == "__main__":
    main()
