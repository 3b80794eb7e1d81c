"""Benchmarks on disk: a public card and inputs, and gold answers kept apart, never served.

Layout (see ``podium.config``)::

    benchmarks/<id>/card.json          the card (``podium.schema.BenchmarkCard``)
    benchmarks/<id>/inputs.parquet     id + the task's input fields: what submitters get
    benchmarks/<id>/inputs.jsonl       the same as JSONL, served as the inputs download
    benchmarks/<id>/documents.parquet  chatbot benchmarks: the document collection
    private/<id>/gold.parquet          id + gold answers
    private/<id>/private-items.parquet with a private part: the ids of its items (secret too)

A benchmark exists once its card exists; the card is written last, so a crash while adding one
leaves no half-made benchmark visible.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import ValidationError

import podium.offline  # noqa: F401  (before datasets)
from podium import atomic
from podium.config import Home
from podium.errors import BenchmarkError, Conflict, InvalidField, NotFound, UnknownBenchmark, quote
from podium.schema import BenchmarkCard, FormatError, describe_validation_error, utcnow
from podium.slugs import UnsafeNameError, check_slug, slugify
from podium.tasks import GoldSet, get_task, task_type_from

if TYPE_CHECKING:  # pandas builds benchmarks; scoring never imports it
    import pandas as pd

SOURCE_FORMATS = {".csv": "csv", ".jsonl": "json", ".json": "json", ".parquet": "parquet"}
INPUTS_JSONL = "inputs.jsonl"
PRIVATE_ITEMS = "private-items.parquet"


def load_table(path: Path) -> pd.DataFrame:
    """Read a CSV, JSONL or Parquet file with ``datasets`` (CSV cells are kept as text)."""
    import datasets

    path = Path(path)
    kind = SOURCE_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise BenchmarkError(f"{path}: use a .csv, .jsonl or .parquet file")
    if not path.is_file():
        raise BenchmarkError(f"{path}: no such file")
    datasets.disable_progress_bars()
    with tempfile.TemporaryDirectory(prefix="podium-datasets-") as cache:
        try:
            if kind == "csv":
                with open(path, newline="", encoding="utf-8-sig") as fh:
                    header = next(csv.reader(fh), [])
                features = datasets.Features({name: datasets.Value("string") for name in header})
                ds = datasets.Dataset.from_csv(str(path), features=features, keep_default_na=False, cache_dir=cache)
            elif kind == "json":
                ds = datasets.Dataset.from_json(str(path), cache_dir=cache)
            else:
                ds = datasets.Dataset.from_parquet(str(path), cache_dir=cache)
            return ds.to_pandas()
        except BenchmarkError:
            raise
        except Exception as exc:  # datasets wraps parser errors in several types
            raise BenchmarkError(f"{path}: cannot be read as {kind}: {exc}") from None


def announce_benchmark(card: BenchmarkCard) -> None:
    from podium import webhooks

    webhooks.notify(
        "benchmark.added",
        f"new benchmark {card.name} ({card.task_type}, {card.n_items} items)",
        {"benchmark": card.id, "name": card.name, "task_type": card.task_type, "n_items": card.n_items},
    )


class BenchmarkStore:
    """Create, list and read benchmarks under a data home."""

    def __init__(self, home: Home):
        self.home = home

    def _public(self, benchmark_id: str) -> Path:
        return self.home.benchmarks_dir / check_slug(benchmark_id, what="benchmark id")

    def _private(self, benchmark_id: str) -> Path:
        return self.home.private_dir / check_slug(benchmark_id, what="benchmark id")

    # ------------------------------------------------------------------ reading

    def list(self) -> list[BenchmarkCard]:
        cards = []
        if self.home.benchmarks_dir.is_dir():
            for card_path in sorted(self.home.benchmarks_dir.glob("*/card.json")):
                try:
                    cards.append(BenchmarkCard.read(card_path))
                except FormatError:
                    continue  # reported by `podium benchmark check`, never fatal for a listing
        return cards

    def card(self, benchmark_id: str) -> BenchmarkCard:
        """The card of ``benchmark_id``; ``UnknownBenchmark`` when there is none (an id that is not a
        safe slug names none, and an unreadable card counts as none, as in ``list``)."""
        try:
            path = self._public(benchmark_id) / "card.json"
        except UnsafeNameError:
            raise UnknownBenchmark(f"no benchmark {quote(benchmark_id)}") from None
        if not path.is_file():
            known = ", ".join(c.id for c in self.list()) or "none yet"
            raise UnknownBenchmark(f"no benchmark {quote(benchmark_id)} (known: {known})")
        try:
            return BenchmarkCard.read(path)
        except FormatError as exc:
            raise UnknownBenchmark(f"benchmark {benchmark_id!r} has an unreadable card: {exc}") from None

    def existing(self, benchmark_id: str | None) -> BenchmarkCard | None:
        """The card of ``benchmark_id`` when that benchmark exists and its card is readable, else None."""
        try:
            return self.card(benchmark_id) if benchmark_id else None
        except UnknownBenchmark:
            return None

    def find(self, name_or_id: str) -> BenchmarkCard | None:
        """The benchmark whose id or name is ``name_or_id`` (the seeds name benchmarks by name)."""
        return next((card for card in self.list() if name_or_id in (card.id, card.name)), None)

    def gold(self, benchmark_id: str) -> GoldSet:
        """The benchmark's item ids and gold answers, in benchmark order."""
        card = self.card(benchmark_id)
        path = self._private(benchmark_id) / "gold.parquet"
        if not path.is_file():
            raise BenchmarkError(f"benchmark {benchmark_id!r} has no gold answers at {path}")
        task = get_task(card.task_type)
        table = pq.ParquetFile(path).read(columns=["id", task.gold_field])  # (read_table imports pyarrow.dataset)
        ids = table.column("id").combine_chunks().cast(pa.string())
        gold = table.column(task.gold_field).combine_chunks()
        if pa.types.is_large_string(gold.type):
            gold = gold.cast(pa.string())
        extra = {name: self.home.extra_metrics_dir / name for name in card.extra_metrics or []}
        return GoldSet(card=card, ids=ids, gold=gold, extra_metrics=extra)

    def inputs(self, benchmark_id: str) -> pd.DataFrame:
        self.card(benchmark_id)
        return pq.read_table(self._public(benchmark_id) / "inputs.parquet").to_pandas()

    def inputs_jsonl(self, benchmark_id: str) -> Path:
        """The public inputs as a stored JSONL file (what ``export_inputs`` writes; never gold).

        Written with the benchmark; for a benchmark added before this file existed (or whose
        inputs.parquet is newer), written now, atomically, so concurrent readers see a whole file.
        """
        self.card(benchmark_id)
        folder = self._public(benchmark_id)
        source, path = folder / "inputs.parquet", folder / INPUTS_JSONL
        if not source.is_file():
            raise NotFound(f"benchmark {benchmark_id!r} has no public inputs (reported results only)")
        try:
            if path.stat().st_mtime_ns >= source.stat().st_mtime_ns:
                return path
        except FileNotFoundError:
            pass
        atomic.write_bytes(path, _jsonl_bytes(pq.read_table(source).to_pandas()))
        return path

    def private_items(self, benchmark_id: str) -> pa.Array | None:
        """The ids of the benchmark's private part (None without one). Secret: never serve them."""
        card = self.card(benchmark_id)
        if not card.private_fraction:
            return None
        path = self._private(benchmark_id) / PRIVATE_ITEMS
        if not path.is_file():
            raise BenchmarkError(
                f"benchmark {benchmark_id!r} has a private part but no {PRIVATE_ITEMS}: add it again with --replace"
            )
        return pq.read_table(path, columns=["id"]).column("id").combine_chunks().cast(pa.string())

    def write_card(self, card: BenchmarkCard) -> None:
        """Replace the card of an existing benchmark (its items and gold answers stay)."""
        atomic.write_text(self._public(card.id) / "card.json", card.to_json())

    def documents(self, benchmark_id: str) -> pd.DataFrame | None:
        path = self._public(benchmark_id) / "documents.parquet"
        return pq.read_table(path).to_pandas() if path.is_file() else None

    # ------------------------------------------------------------------ writing

    def add(
        self,
        card: BenchmarkCard,
        data: Path | pd.DataFrame,
        *,
        columns: dict[str, str] | None = None,
        documents: Path | pd.DataFrame | None = None,
        replace: bool = False,
        keep_private_part: bool = True,
        extra_metrics: list[Path] | None = None,
    ) -> BenchmarkCard:
        """Create a benchmark from a table holding inputs and gold answers.

        ``columns`` maps a task field to the source column that holds it (``{"text": "sentence"}``).
        With ``card.private_fraction`` a secret random share of the items becomes the private part
        (``podium.private_part``). Replacing a benchmark keeps its private part (and its closing,
        once revealed) unless the new card sets another fraction or ``keep_private_part`` is False.

        ``extra_metrics``: local ``evaluate`` modules to score beside the task's metrics (replacing
        the card's; ``None`` keeps them). Each is tried on the gold answers first: its columns join
        ``secondary_metrics``, and a module that fails or gives no score is refused before anything
        is written (``podium.metrics.extra``).
        """
        from podium.metrics import extra

        staged = [extra.stage(path, self.home.extra_metrics_dir) for path in extra_metrics or []]
        try:
            if extra_metrics is not None:
                card = card.model_copy(update={"extra_metrics": [folder.name for folder in staged] or None})
            card = self._add(card, data, columns, documents, replace, keep_private_part, staged)
        finally:
            for folder in staged:
                extra.discard(folder)
        announce_benchmark(card)
        return card

    def _add(self, card, data, columns, documents, replace, keep_private_part, staged) -> BenchmarkCard:
        import pandas as pd

        from podium.metrics import extra
        from podium.names import check_name

        # a maintainer's name is shown to everyone: NFKC, no invisible characters, no look-alike script mixes
        card = card.model_copy(update={"name": check_name(card.name, "name", required=True)})
        task = get_task(card.task_type)
        public_dir, private_dir = self._public(card.id), self._private(card.id)
        if (public_dir / "card.json").exists() and not replace:
            raise Conflict(f"benchmark {card.id!r} already exists (use --replace to overwrite)")
        inputs, gold, card = task.prepare(_source_table(data, columns), _checked_metrics(card, task))
        card = self._with_extra_columns(card, gold, {folder.name: folder for folder in staged})
        docs = None
        if documents is not None:
            docs = documents if isinstance(documents, pd.DataFrame) else load_table(Path(documents))
        gold_bytes, inputs_bytes = _parquet(gold), _parquet(inputs)
        update: dict = {"updated_at": utcnow()}
        old = self.card(card.id) if replace and (public_dir / "card.json").exists() else None
        if old is not None:
            card = _kept_from(old, card, keep_private_part)
        private_files = {"gold.parquet": gold_bytes}
        if card.private_fraction:
            private_files[PRIVATE_ITEMS] = self._private_split(card, gold)
        if old is not None:
            update |= _replacement(old, card, public_dir, private_dir, private_files, inputs_bytes)
        card = card.model_copy(update=update)

        _replace_dir(private_dir, private_files)
        public_files = {"inputs.parquet": inputs_bytes, INPUTS_JSONL: _jsonl_bytes(inputs)}
        if docs is not None:
            public_files["documents.parquet"] = _parquet(docs)
        _replace_dir(public_dir, public_files)
        for folder in staged:  # before the card that names them
            extra.publish(folder)
        atomic.write_text(public_dir / "card.json", card.to_json())
        return card

    def _with_extra_columns(self, card: BenchmarkCard, gold: pd.DataFrame, staged: dict[str, Path]) -> BenchmarkCard:
        """``card`` with its extra metrics' columns as secondary metrics (after the task's own), found
        by scoring the first items' gold answers with them (``staged`` modules, else installed ones)."""
        from podium.scoring import with_extra_metrics
        from podium.tasks import Scoring

        task = get_task(card.task_type)
        secondary = [m for m in card.secondary_metrics if m in task.metrics]
        if not card.extra_metrics:
            return card.model_copy(update={"secondary_metrics": secondary})
        table = pa.Table.from_pandas(gold.head(EXTRA_METRIC_TRIAL_ITEMS), preserve_index=False)
        folders = {name: staged.get(name, self.home.extra_metrics_dir / name) for name in card.extra_metrics}
        trial = GoldSet(card, table.column("id").combine_chunks().cast(pa.string()),
                        table.column(task.gold_field).combine_chunks(), extra_metrics=folders)  # fmt: skip
        own = {m: 0.0 for m in (card.primary_metric, *task.metrics)}
        scored = with_extra_metrics(Scoring(dict(own), {}, None), trial, task.perfect_predictions(trial))
        added = [m for m in scored.metrics if m not in own]
        if not added:
            raise BenchmarkError(
                f"extra metric {', '.join(card.extra_metrics)}: compute() gave no number and no list of one number "
                "per item (podium.metrics.extra: what a module's output becomes)"
            )
        return card.model_copy(update={"secondary_metrics": secondary + added})

    def add_reported(self, card: BenchmarkCard, rows: Iterable[Mapping]) -> BenchmarkCard:
        """Create a benchmark without an eval set, holding ``reported`` rows only (the seeds'
        ``add_dataset``): ``Conflict`` when a benchmark has its name or id; every row is checked
        (``podium.reported.reported_rows``) before anything is written."""
        from podium.reported import reported_rows, store_reported

        existing = self.find(card.name) or self.find(card.id)
        if existing is not None or (self._public(card.id) / "card.json").exists():
            holder = quote(existing.name) if existing is not None else "an existing benchmark"
            raise Conflict(f"benchmark {quote(card.name)} would get the id {card.id!r} of {holder}")
        results = reported_rows(card, rows)
        self.write_card(card)
        for result in results:
            store_reported(self.home, card, result)
        announce_benchmark(card)
        return card

    def export_inputs(self, benchmark_id: str, out: Path) -> int:
        """Write the public inputs (never gold answers) as JSONL or CSV, by ``out``'s suffix."""
        inputs = self.inputs(benchmark_id)
        out = Path(out)
        if out.suffix.lower() == ".csv":
            frame = inputs.copy()
            for column in frame.columns:
                if frame[column].map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
                    frame[column] = frame[column].map(lambda v: " ".join(list(v)))
            atomic.write_text(out, frame.to_csv(index=False))
        else:
            atomic.write_bytes(out, _jsonl_bytes(inputs))
        return len(inputs)

    def _private_split(self, card: BenchmarkCard, gold: pd.DataFrame) -> bytes:
        """The private part's item ids as parquet bytes, drawn under the server secret."""
        import pandas as pd

        from podium.private_part import choose_private, companion_id

        companion_id(card.id)  # the revealed table's id must be a valid slug too: fail now, not at reveal
        ids = gold["id"].astype(str).tolist()
        mask = choose_private(self.home, card.id, ids, float(card.private_fraction or 0))
        return _parquet(pd.DataFrame({"id": [i for i, private in zip(ids, mask, strict=True) if private]}))


# What a maintainer writes on a card, kept from the existing card when a benchmark is replaced and
# not given again; the others are computed (items, times, version) or kept by ``add`` itself (the
# private part). The task type's own fields are kept only while the task type stays the same.
TASK_FIELDS = ("primary_metric", "secondary_metrics", "labels", "entity_types", "extra_metrics")
KEPT_ON_REPLACE = ("task_type", "name", "description", "url", "languages", "license", "private_part_of", *TASK_FIELDS)
EXTRA_METRIC_TRIAL_ITEMS = 200  # a new extra metric is tried on this many gold answers
LIST_FIELDS = ("languages", "labels", "entity_types", "secondary_metrics")


def build_card(given: Mapping[str, Any], *, existing: BenchmarkCard | None = None) -> BenchmarkCard:
    """A new benchmark's card from the fields a maintainer gave (``None``: not given): the one card
    builder of ``podium benchmark add``, ``POST /api/benchmarks`` and the seeds' ``add_dataset``.

    - ``task_type``: any spelling the task registry accepts (``InvalidField`` naming them otherwise);
    - ``name`` (shown to everyone: ``podium.names.check_name``) defaults to the id, and ``id`` to the
      slug of the name;
    - ``languages``, ``labels``, ``entity_types``, ``secondary_metrics``: lists or comma-separated text;
    - ``primary_metric`` defaults to the task type's first metric, ``secondary_metrics`` to its others;
    - replacing ``existing``, every field not given keeps the existing card's value (the task type's
      metrics, labels and entity types only while the task type and primary metric stay).

    Other fields (unknown ones too) are kept as given. A card that does not validate raises
    ``BenchmarkError`` naming the field."""
    from podium.names import check_name

    fields = {k: _listed(v) if k in LIST_FIELDS else v for k, v in given.items() if v is not None}
    fields = {k: v for k, v in fields.items() if v != []}
    if "task_type" in fields:
        fields["task_type"] = task_type_from(fields["task_type"])
    if existing is not None:
        fields = _kept(existing, fields) | fields
    if not fields.get("task_type"):
        raise InvalidField("task_type", "is required")
    if fields.get("name") is not None:
        fields["name"] = check_name(fields["name"], "name", required=True)
    if not fields.get("id"):
        if not fields.get("name"):
            raise InvalidField("id", "is required (or a name to make it from)")
        fields["id"] = slugify(fields["name"])
    fields.setdefault("name", fields["id"])
    metrics = get_task(fields["task_type"]).metrics
    fields.setdefault("primary_metric", metrics[0])
    fields.setdefault("secondary_metrics", [m for m in metrics if m != fields["primary_metric"]])
    try:
        return BenchmarkCard.model_validate(fields)
    except ValidationError as exc:
        raise BenchmarkError(f"benchmark card: {describe_validation_error(exc)}") from None


def _listed(value: Any) -> Any:
    """``"a, b"`` -> ``["a", "b"]``; lists and other values as they are."""
    return [x.strip() for x in value.split(",") if x.strip()] if isinstance(value, str) else value


def _kept(existing: BenchmarkCard, given: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``existing`` that a replacement without them keeps."""
    kept = existing.model_dump(include=set(KEPT_ON_REPLACE), exclude_none=True) | dict(existing.model_extra or {})
    same_task = given.get("task_type", existing.task_type) == existing.task_type
    same_metric = given.get("primary_metric", existing.primary_metric) == existing.primary_metric
    if not same_task:
        kept = {k: v for k, v in kept.items() if k not in TASK_FIELDS}
    elif not same_metric:
        kept.pop("secondary_metrics", None)
    return kept


def _plain(value):
    return value.tolist() if hasattr(value, "tolist") else value


def _jsonl_bytes(inputs: pd.DataFrame) -> bytes:
    rows = inputs.to_dict(orient="records")
    lines = [json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _replacement(
    old: BenchmarkCard,
    new: BenchmarkCard,
    public_dir: Path,
    private_dir: Path,
    private: dict[str, bytes],
    inputs: bytes,
) -> dict:
    """Card fields of a replaced benchmark: its creation time, and a version that changes exactly
    when the items, the gold answers or the private part do (results of the old version then leave
    the leaderboard: they were scored on other items)."""

    def same(path: Path, data: bytes | None) -> bool:
        if data is None:  # a file the new version does not have
            return not path.exists()
        return path.is_file() and path.read_bytes() == data

    changed = not (
        same(private_dir / "gold.parquet", private["gold.parquet"])
        and same(private_dir / PRIVATE_ITEMS, private.get(PRIVATE_ITEMS))
        and same(public_dir / "inputs.parquet", inputs)
    )
    update: dict = {"created_at": old.created_at}
    given = new.version if new.version not in ("1", old.version) else None  # "1" is the default: not given
    if given is not None:
        return update
    if not changed:
        return update | {"version": old.version}
    if not old.version.isdigit():
        raise BenchmarkError(
            f"the items or gold answers of {old.id!r} changed: give the new eval set a new --version "
            f"(it is {old.version!r})"
        )
    return update | {"version": str(int(old.version) + 1)}


def _parquet(frame: pd.DataFrame) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return sink.getvalue().to_pybytes()


def _replace_dir(target: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a fresh folder and swap it in place of ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _source_table(data: Path | pd.DataFrame, columns: dict[str, str] | None) -> pd.DataFrame:
    """The eval set, its source columns renamed to the task's fields (``columns``: field -> column)."""
    import pandas as pd

    table = data if isinstance(data, pd.DataFrame) else load_table(Path(data))
    if not columns:
        return table
    absent = [src for src in columns.values() if src not in table.columns]
    if absent:
        raise BenchmarkError(f"no column {', '.join(map(repr, absent))} in the benchmark data")
    return table.rename(columns={src: field for field, src in columns.items()})


def _checked_metrics(card: BenchmarkCard, task) -> BenchmarkCard:
    """The primary metric checked against the task type's; the others secondary unless given."""
    if card.primary_metric not in task.metrics:
        raise BenchmarkError(
            f"primary metric {card.primary_metric!r} is not one of {', '.join(task.metrics)} for task type {task.name}"
        )
    if card.secondary_metrics:
        return card
    return card.model_copy(update={"secondary_metrics": [m for m in task.metrics if m != card.primary_metric]})


def _kept_from(old: BenchmarkCard, card: BenchmarkCard, keep_private_part: bool) -> BenchmarkCard:
    """What a replaced benchmark keeps: its private part (unless told otherwise), its closing."""
    if card.private_fraction is None and keep_private_part and old.private_fraction:
        card = card.model_copy(update={"private_fraction": old.private_fraction})
    if old.revealed_at is not None and card.revealed_at is None:
        card = card.model_copy(update={"revealed_at": old.revealed_at})  # closed stays closed
    return card
