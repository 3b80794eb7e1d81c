"""The bundled sample data, made by a deterministic generator (``podium samples``).

Four benchmarks, one per task type, in the language of their domains, and several sample
models' predictions of varied quality:

- ``fin-sentiment``      text_classification: sentiment of financial news sentences;
- ``biz-news-ner``       ner: organisations, people, places and amounts in business news;
- ``company-docs-qa``    chatbot: questions answered from a collection of company profiles;
- ``filing-qa``          prompting: a question about the filing excerpt given with it.

Everything comes from seeded ``random.Random`` instances and lists (never set order), so running
the generator again writes byte-identical source files. The source files go to ``samples/``;
the benchmarks are then created from them with ``BenchmarkStore.add``, the same path
``podium benchmark add`` takes.
"""

from __future__ import annotations

import csv
import io
import json
import random

from podium import atomic
from podium.config import Home

N_ITEMS = 320

COMPANIES = [
    ("Nordic Steel", "Oyj"),
    ("Baltic Freight", "AB"),
    ("Helios Energy", "plc"),
    ("Amber Pharma", "AG"),
    ("Kestrel Software", "Inc"),
    ("Granite Bank", "ASA"),
    ("Lumen Telecom", "SA"),
    ("Polar Foods", "Oyj"),
    ("Cobalt Mining", "Ltd"),
    ("Vesta Insurance", "AB"),
    ("Orion Logistics", "NV"),
    ("Juniper Retail", "plc"),
    ("Fjord Shipping", "ASA"),
    ("Atlas Cement", "SpA"),
    ("Sable Motors", "AG"),
    ("Harbor Paper", "Oyj"),
    ("Quartz Semiconductors", "Inc"),
    ("Meridian Airlines", "SA"),
    ("Tundra Forestry", "AB"),
    ("Saffron Hotels", "Ltd"),
    ("Beacon Media", "plc"),
    ("Willow Textiles", "SpA"),
    ("Crescent Chemicals", "NV"),
    ("Summit Healthcare", "Inc"),
    ("Aurora Wind", "ASA"),
    ("Delta Water", "SA"),
    ("Pioneer Robotics", "AG"),
    ("Evergreen Packaging", "Oyj"),
    ("Ironwood Construction", "Ltd"),
    ("Coral Biotech", "Inc"),
    ("Falcon Defence", "plc"),
    ("Glacier Dairy", "AB"),
    ("Horizon Solar", "SpA"),
    ("Keystone Rail", "NV"),
    ("Maple Publishing", "Ltd"),
    ("Nimbus Cloud", "Inc"),
    ("Opal Jewellery", "SA"),
    ("Redwood Timber", "Oyj"),
    ("Silverline Cables", "AG"),
    ("Tidewater Ports", "ASA"),
]
FIRST = [
    "Anna",
    "Mikko",
    "Sofia",
    "Lars",
    "Elena",
    "Jonas",
    "Maria",
    "Pekka",
    "Ingrid",
    "Tomas",
    "Laura",
    "Henrik",
    "Clara",
    "Oskar",
    "Nina",
    "Viktor",
    "Julia",
    "Erik",
    "Marta",
    "Paolo",
]
LAST = [
    "Lindqvist",
    "Virtanen",
    "Moreau",
    "Jensen",
    "Rossi",
    "Nowak",
    "Berg",
    "Keller",
    "Haas",
    "Korhonen",
    "Dubois",
    "Novak",
    "Larsen",
    "Fischer",
    "Costa",
    "Holm",
    "Meyer",
    "Sato",
]
CITIES = [
    "Helsinki",
    "Stockholm",
    "Oslo",
    "Copenhagen",
    "Tallinn",
    "Riga",
    "Hamburg",
    "Rotterdam",
    "Milan",
    "Lyon",
    "Warsaw",
    "Vienna",
    "Zurich",
    "Dublin",
    "Lisbon",
    "Madrid",
]
REGIONS = ["Europe", "North America", "Asia", "the Nordic countries", "Germany", "China", "Brazil"]
METRICS = ["net sales", "operating profit", "revenue", "order intake", "earnings per share"]
PRODUCTS = [
    "steel plate",
    "container shipping",
    "wind turbines",
    "generic medicines",
    "payroll software",
    "retail banking",
    "mobile networks",
    "frozen foods",
    "copper concentrate",
    "home insurance",
    "warehouse automation",
    "fashion retail",
]
QUARTERS = ["first", "second", "third", "fourth"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _company(rng: random.Random) -> str:
    name, form = rng.choice(COMPANIES)
    return f"{name} {form}" if rng.random() < 0.4 else name


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _money(rng: random.Random) -> str:
    return f"EUR {rng.randint(2, 900)}.{rng.randint(0, 9)} million"


# --------------------------------------------------------------------------- text classification

SENTIMENT_TEMPLATES = {
    "positive": [
        "{co} reported a {pct}% rise in {metric} for the {q} quarter, beating analyst estimates.",
        "{co} raised its full-year {metric} guidance after strong demand in {region}.",
        "Shares in {co} jumped {pct}% after the company won a {money} order from {co2}.",
        "{co} said {metric} grew to {money} as margins improved in {region}.",
        "Analysts upgraded {co} to buy, citing a recovery in {product} prices.",
        "{co} will increase its dividend after record {metric} in {year}.",
    ],
    "negative": [
        "{co} cut its {metric} forecast, citing weak demand in {region}.",
        "{co} swung to an operating loss of {money} in the {q} quarter.",
        "Shares in {co} fell {pct}% after the company warned on {metric}.",
        "{co} will cut {n} jobs as orders for {product} keep falling.",
        "{metric} at {co} dropped {pct}% year on year, missing the consensus.",
        "{co} suspended its dividend after a {money} write-down in {region}.",
    ],
    "neutral": [
        "{co} will publish its {q} quarter interim report on {day} {month}.",
        "{co} appointed {person} as chief financial officer from {day} {month}.",
        "The annual general meeting of {co} will be held in {city} on {day} {month}.",
        "{co} operates {n} sites in {region} and employs about {n2} people.",
        "{co} has completed the previously announced sale of its {product} unit to {co2}.",
        "{co} and {co2} signed a letter of intent on a logistics partnership in {city}.",
    ],
}


def _sentiment_items(rng: random.Random) -> list[dict]:
    labels = ["negative", "neutral", "positive"]
    weights = [0.28, 0.42, 0.30]
    items = []
    for i in range(1, N_ITEMS + 1):
        label = rng.choices(labels, weights)[0]
        text = rng.choice(SENTIMENT_TEMPLATES[label]).format(
            co=_company(rng),
            co2=_company(rng),
            pct=rng.randint(2, 35),
            metric=rng.choice(METRICS),
            q=rng.choice(QUARTERS),
            region=rng.choice(REGIONS),
            money=_money(rng),
            product=rng.choice(PRODUCTS),
            year=rng.randint(2019, 2025),
            n=rng.randint(40, 900),
            n2=rng.randint(1, 40) * 100,
            person=_person(rng),
            city=rng.choice(CITIES),
            day=rng.randint(1, 28),
            month=rng.choice(MONTHS),
        )
        text = text[0].upper() + text[1:]
        items.append({"id": f"fs-{i:04d}", "text": text, "label": label})
    return items


def _sentiment_predictions(items: list[dict], skill: float, bias: str | None, seed: int) -> list[dict]:
    rng = random.Random(seed)
    labels = ["negative", "neutral", "positive"]
    out = []
    for item in items:
        if bias == "majority":
            label = "neutral"
        elif rng.random() < skill:
            label = item["label"]
        else:
            others = [x for x in labels if x != item["label"]]
            label = "neutral" if "neutral" in others and rng.random() < 0.6 else rng.choice(others)
        out.append({"id": item["id"], "prediction": label})
    return out


# --------------------------------------------------------------------------- NER

NER_TEMPLATES = [
    [
        "{PER}",
        ",",
        "chief",
        "executive",
        "of",
        "{ORG}",
        ",",
        "said",
        "the",
        "deal",
        "with",
        "{ORG}",
        "would",
        "close",
        "in",
        "{MONTH}",
        ".",
    ],
    ["{ORG}", "agreed", "to", "buy", "a", "plant", "in", "{LOC}", "from", "{ORG}", "for", "{MONEY}", "."],
    ["{ORG}", "opened", "a", "new", "office", "in", "{LOC}", ",", "its", "third", "in", "{LOC}", "."],
    [
        "Net",
        "sales",
        "at",
        "{ORG}",
        "rose",
        "to",
        "{MONEY}",
        ",",
        "chief",
        "financial",
        "officer",
        "{PER}",
        "told",
        "reporters",
        "in",
        "{LOC}",
        ".",
    ],
    ["{PER}", "will", "succeed", "{PER}", "as", "chair", "of", "{ORG}", "in", "{MONTH}", "."],
    ["Regulators", "in", "{LOC}", "fined", "{ORG}", "{MONEY}", "over", "late", "disclosures", "."],
    ["{ORG}", "shares", "closed", "up", "4", "%", "in", "{LOC}", "after", "{PER}", "raised", "the", "outlook", "."],
    ["The", "board", "of", "{ORG}", "proposed", "a", "dividend", "of", "{MONEY}", "."],
]


def _entity_tokens(kind: str, rng: random.Random) -> tuple[list[str], str | None]:
    if kind == "PER":
        return _person(rng).split(), "PER"
    if kind == "ORG":
        return _company(rng).split(), "ORG"
    if kind == "LOC":
        return rng.choice(CITIES + REGIONS).split(), "LOC"
    if kind == "MONEY":
        return _money(rng).split(), "MONEY"
    return [rng.choice(MONTHS)], None  # MONTH: a plain word, not an entity


def _ner_items(rng: random.Random) -> list[dict]:
    items = []
    for i in range(1, N_ITEMS + 1):
        tokens, tags = [], []
        for piece in rng.choice(NER_TEMPLATES):
            if piece.startswith("{"):
                words, kind = _entity_tokens(piece[1:-1], rng)
                tokens += words
                tags += ["O"] * len(words) if kind is None else [f"B-{kind}"] + [f"I-{kind}"] * (len(words) - 1)
            else:
                tokens.append(piece)
                tags.append("O")
        items.append({"id": f"bn-{i:04d}", "tokens": tokens, "tags": tags})
    return items


def _ner_predictions(items: list[dict], skill: float, seed: int) -> list[dict]:
    rng = random.Random(seed)
    types = ["ORG", "PER", "LOC", "MONEY"]
    out = []
    for item in items:
        tags = list(item["tags"])
        i = 0
        while i < len(tags):
            if tags[i].startswith("B-"):
                end = i + 1
                while end < len(tags) and tags[end].startswith("I-"):
                    end += 1
                if rng.random() >= skill:
                    error = rng.random()
                    if error < 0.35:
                        tags[i:end] = ["O"] * (end - i)  # missed
                    elif error < 0.7:
                        wrong = rng.choice([t for t in types if t != tags[i][2:]])
                        tags[i:end] = [f"B-{wrong}"] + [f"I-{wrong}"] * (end - i - 1)
                    elif end - i > 1:
                        tags[end - 1] = "O"  # boundary: last token dropped
                    else:
                        tags[i] = "I-" + tags[i][2:]  # I- with no B- (still an entity)
                i = end
            else:
                if item["tokens"][i][:1].isupper() and rng.random() > skill + 0.05:
                    tags[i] = "B-ORG"  # a capitalised word taken for an organisation
                i += 1
        out.append({"id": item["id"], "prediction": tags})
    return out


# --------------------------------------------------------------------------- QA


def _profiles(rng: random.Random) -> list[dict]:
    profiles = []
    for name, form in COMPANIES:
        profiles.append(
            {
                "company": name,
                "legal": f"{name} {form}",
                "ceo": _person(rng),
                "city": rng.choice(CITIES),
                "founded": rng.randint(1890, 2015),
                "employees": rng.randint(3, 250) * 100,
                "revenue": _money(rng),
                "product": rng.choice(PRODUCTS),
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


QUESTIONS = [
    ("Who is the chief executive of {company}?", lambda p: [p["ceo"]]),
    ("In which city is {company} headquartered?", lambda p: [p["city"]]),
    ("When was {company} founded?", lambda p: [str(p["founded"]), f"in {p['founded']}"]),
    ("How many people does {company} employ?", lambda p: [f"{p['employees']:,}", f"{p['employees']:,} people"]),
    ("What revenue did {company} report?", lambda p: [p["revenue"]]),
    ("What is {company} best known for?", lambda p: [p["product"]]),
    ("Since when has {ceo} led {company}?", lambda p: [str(p["year"]), f"since {p['year']}"]),
    ("Where is the head office of the company run by {ceo}?", lambda p: [p["city"]]),
]


def _qa_items(rng: random.Random, profiles: list[dict], with_context: bool, prefix: str) -> list[dict]:
    items = []
    for i in range(1, N_ITEMS + 1):
        profile = rng.choice(profiles)
        template, answer = rng.choice(QUESTIONS)
        item = {
            "id": f"{prefix}-{i:04d}",
            "question": template.format(**profile),
            "answers": answer(profile),
        }
        if with_context:
            item["context"] = _profile_text(profile)
        else:
            item["document_ids"] = [profile["company"].lower().replace(" ", "-")]
        items.append(item)
    return items


def _qa_predictions(items: list[dict], skill: float, verbose: float, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for item in items:
        gold = item["answers"][0]
        draw = rng.random()
        if draw < skill:
            answer = gold
            if rng.random() < verbose:
                answer = rng.choice(["The answer is ", "It is ", "According to the report, "]) + gold + "."
        elif draw < skill + (1 - skill) / 2:
            words = gold.split()
            answer = " ".join(words[: max(1, len(words) // 2)]) if len(words) > 1 else "about " + gold
        else:
            answer = rng.choice(items)["answers"][0]
        out.append({"id": item["id"], "prediction": answer})
    return out


# --------------------------------------------------------------------------- writing

MODELS = {
    "fin-sentiment": [
        ("finbert-tone-large", "northwind", dict(skill=0.9, bias=None), "csv"),
        ("llama-3-8b-instruct", "open-llm", dict(skill=0.8, bias=None), "csv"),
        ("tfidf-logreg", "acme", dict(skill=0.7, bias=None), "jsonl"),
        ("majority-class", "baselines", dict(skill=0.0, bias="majority"), "csv"),
    ],
    "biz-news-ner": [
        ("deberta-ner-large", "northwind", dict(skill=0.93), "jsonl"),
        ("llama-3-8b-instruct", "open-llm", dict(skill=0.78), "jsonl"),
        ("crf-tagger", "acme", dict(skill=0.62), "csv"),
    ],
    "company-docs-qa": [
        ("rag-reader-xl", "northwind", dict(skill=0.85, verbose=0.1), "jsonl"),
        ("llama-3-8b-instruct", "open-llm", dict(skill=0.72, verbose=0.5), "jsonl"),
        ("bm25-extractive", "acme", dict(skill=0.45, verbose=0.0), "csv"),
    ],
    "filing-qa": [
        ("rag-reader-xl", "northwind", dict(skill=0.92, verbose=0.05), "csv"),
        ("llama-3-8b-instruct", "open-llm", dict(skill=0.8, verbose=0.4), "jsonl"),
        ("bm25-extractive", "acme", dict(skill=0.55, verbose=0.0), "csv"),
    ],
}

CARDS = {
    "fin-sentiment": dict(
        name="Financial News Sentiment",
        task_type="text_classification",
        primary_metric="accuracy",
        description="Is a financial news sentence good, bad or neutral news for the company? "
        "320 synthetic sentences in the style of the Financial PhraseBank.",
        labels=["negative", "neutral", "positive"],
        languages=["en"],
    ),
    "biz-news-ner": dict(
        name="Business News Entities",
        task_type="ner",
        primary_metric="f1",
        description="Organisations, people, places and money amounts in business news sentences "
        "(IOB2 tags; entity-level F1 as seqeval computes it).",
        entity_types=["LOC", "MONEY", "ORG", "PER"],
        languages=["en"],
    ),
    "company-docs-qa": dict(
        name="Company Documents QA",
        task_type="chatbot",
        primary_metric="f1",
        description="Questions answered from a collection of 40 company profiles (find the right "
        "document, then the answer). SQuAD token F1.",
        languages=["en"],
    ),
    "filing-qa": dict(
        name="Filing Excerpt QA",
        task_type="prompting",
        primary_metric="f1",
        description="A question about the annual-report excerpt given with it. SQuAD token F1.",
        languages=["en"],
    ),
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


def sample_files() -> dict[str, str]:
    """Every sample source file, by path relative to ``samples/``."""
    files: dict[str, str] = {}
    rng = random.Random(20240901)
    items = {
        "fin-sentiment": _sentiment_items(random.Random(1)),
        "biz-news-ner": _ner_items(random.Random(2)),
    }
    profiles = _profiles(random.Random(3))
    items["company-docs-qa"] = _qa_items(random.Random(4), profiles, False, "cd")
    items["filing-qa"] = _qa_items(random.Random(5), _profiles(random.Random(6)), True, "fq")
    documents = [
        {"id": p["company"].lower().replace(" ", "-"), "title": p["legal"], "text": _profile_text(p)} for p in profiles
    ]
    files["data/company-docs-qa-documents.jsonl"] = _jsonl(documents)
    models = []
    for benchmark, rows in items.items():
        files[f"data/{benchmark}.jsonl"] = _jsonl(rows)
        files[f"cards/{benchmark}.json"] = json.dumps({"id": benchmark, **CARDS[benchmark]}, indent=2) + "\n"
        for name, org, params, fmt in MODELS[benchmark]:
            seed = rng.randint(0, 2**31)
            if benchmark == "fin-sentiment":
                preds = _sentiment_predictions(rows, params["skill"], params["bias"], seed)
            elif benchmark == "biz-news-ner":
                preds = _ner_predictions(rows, params["skill"], seed)
            else:
                preds = _qa_predictions(rows, params["skill"], params["verbose"], seed)
            path = f"predictions/{benchmark}/{org}--{name}.{fmt}"
            files[path] = _csv(preds) if fmt == "csv" else _jsonl(preds)
            models.append(
                {
                    "benchmark": benchmark,
                    "name": name,
                    "org": org,
                    "predictions": path,
                    "link": f"https://huggingface.co/{org}/{name}",
                }
            )
    files["models.json"] = json.dumps(models, indent=2) + "\n"
    return files


def generate(home: Home, force: bool = False) -> list[str]:
    """Write the sample files under ``home/samples`` and create the four benchmarks."""
    from podium.benchmarks import BenchmarkStore
    from podium.schema import BenchmarkCard

    root = home.root / "samples"
    for relative, text in sample_files().items():
        path = root / relative
        if force or not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic.write_text(path, text)
    store = BenchmarkStore(home)
    created = []
    for benchmark in CARDS:
        card = BenchmarkCard.model_validate(json.loads((root / f"cards/{benchmark}.json").read_text()))
        existing = {c.id for c in store.list()}
        if benchmark in existing and not force:
            continue
        documents = root / "data/company-docs-qa-documents.jsonl" if benchmark == "company-docs-qa" else None
        store.add(card, root / f"data/{benchmark}.jsonl", documents=documents, replace=True)
        created.append(benchmark)
    submit_samples(home)
    return created


def submit_samples(home: Home) -> int:
    """Submit every sample model's predictions and score them: the path a user's submission takes."""
    from podium.backend import Backend
    from podium.submissions import model_info, submit

    queued = 0
    for m in sample_models(home):
        model = model_info(m["name"], org=m["org"], link=m["link"])
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
    return json.loads((home.root / "samples" / "models.json").read_text(encoding="utf-8"))


def main() -> None:  # python -m podium.samples
    generate(Home.from_env(), force=True)


if __name__ == "__main__":
    main()
