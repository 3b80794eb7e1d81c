"""Reading a predictions file (CSV or JSONL) and matching its ids to a benchmark's items.

Only the checks every task type shares live here: size, encoding, emptiness, header, JSON syntax,
and missing / duplicate / unknown ids. What a prediction must look like is the task type's
business (``podium.tasks``).

Locations in messages: CSV problems say ``row N`` (the N-th data row, the header not counted),
JSONL problems say ``line N`` (the physical line in the file).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from podium.errors import InvalidPredictions, Problem

ID_COLUMN = "id"
PREDICTION_COLUMN = "prediction"
CSV_SUFFIXES = {".csv"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}

try:  # orjson is several times faster on large JSONL files; gradio already installs it
    import orjson

    _loads = orjson.loads
    _JSON_ERRORS: tuple[type[Exception], ...] = (orjson.JSONDecodeError,)
except ImportError:  # pragma: no cover
    _loads = json.loads
    _JSON_ERRORS = (json.JSONDecodeError,)


@dataclass
class RawPredictions:
    """The ``id`` and ``prediction`` of every row of a file, in file order.

    CSV values stay an Arrow string array (a million rows never become Python objects unless a
    task needs them); JSONL values are the parsed JSON values.
    """

    ids: pa.Array  # strings
    values: pa.Array | list[Any]
    format: str  # "csv" or "jsonl"
    line_numbers: np.ndarray | None = None  # JSONL: physical line of each record
    _values_list: list | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def id_at(self, row: int) -> str:
        return self.ids[int(row)].as_py()

    def values_list(self) -> list[Any]:
        if isinstance(self.values, list):
            return self.values
        if self._values_list is None:
            self._values_list = self.values.to_pylist()
        return self._values_list

    def where(self, row: int) -> str:
        if self.line_numbers is not None:
            return f"line {int(self.line_numbers[row])}"
        return f"row {row + 1}"


def detect_format(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    return "jsonl" if data.lstrip()[:1] == b"{" else "csv"


def read_predictions(path: Path, max_bytes: int, fmt: str | None = None) -> RawPredictions:
    """Read ``path``; raise ``InvalidPredictions`` naming the row on anything wrong."""
    path = Path(path)
    if not path.is_file():
        raise InvalidPredictions([Problem("file", f"{path} does not exist or is not a file")])
    size = path.stat().st_size
    if size > max_bytes:
        raise InvalidPredictions([Problem("file", f"the file is {_mb(size)}, over the {_mb(max_bytes)} limit")])
    data = path.read_bytes()
    return parse_predictions(data, fmt or detect_format(path, data))


def parse_predictions(data: bytes, fmt: str) -> RawPredictions:
    if not data.strip():
        raise InvalidPredictions([Problem("file", "the file is empty")])
    text = _decode(data)
    if fmt == "csv":
        return _parse_csv(data, text)
    if fmt == "jsonl":
        return _parse_jsonl(text)
    raise InvalidPredictions([Problem("file", f"unknown format {fmt!r}; use csv or jsonl")])


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise InvalidPredictions(
            [Problem(f"line {line}", f"not valid UTF-8 (byte 0x{byte}); save the file as UTF-8")]
        ) from None


def _header(text: str) -> list[str]:
    first = text.split("\n", 1)[0].strip("\r")
    try:
        return [c.strip() for c in next(csv.reader([first]))]
    except (csv.Error, StopIteration):
        return []


def _parse_csv(data: bytes, text: str) -> RawPredictions:
    columns = _header(text)
    if ID_COLUMN not in columns or PREDICTION_COLUMN not in columns:
        first_line = text.split("\n", 1)[0].strip("\r")
        raise InvalidPredictions(
            [
                Problem(
                    "header",
                    f"the first line must be a header with columns '{ID_COLUMN}' and "
                    f"'{PREDICTION_COLUMN}'; found {first_line[:120]!r}",
                )
            ]
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:  # Arrow's multi-threaded reader first; pandas only to explain what is wrong
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=False,
                include_columns=[ID_COLUMN, PREDICTION_COLUMN],
            ),
        )
        ids = table.column(ID_COLUMN).combine_chunks()
        values = table.column(PREDICTION_COLUMN).combine_chunks()
    except (pa.ArrowInvalid, ValueError):
        ids, values = _parse_csv_with_pandas(text)
    if len(ids) == 0:
        raise InvalidPredictions([Problem("file", "no predictions after the header")])
    return RawPredictions(ids=ids, values=values, format="csv")


def _parse_csv_with_pandas(text: str) -> tuple[pa.Array, pa.Array]:
    """The slower, more forgiving parser (quoted newlines), with line numbers in its errors."""
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, engine="c")
    except pd.errors.ParserError as exc:
        message = str(exc)
        where = "file"
        if " in line " in message:  # "Expected 2 fields in line 5, saw 3"
            line = message.split(" in line ")[1].split(",")[0]
            where = f"line {line}"
            message = message.split("C error: ")[-1]
        raise InvalidPredictions([Problem(where, f"malformed CSV: {message}")]) from None
    except pd.errors.EmptyDataError:
        raise InvalidPredictions([Problem("file", "the file is empty")]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return (
        pa.array(frame[ID_COLUMN].tolist(), type=pa.string()),
        pa.array(frame[PREDICTION_COLUMN].tolist(), type=pa.string()),
    )


def _parse_jsonl(text: str) -> RawPredictions:
    ids: list[str] = []
    values: list[Any] = []
    lines: list[int] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = _loads(line)
        except _JSON_ERRORS as exc:
            problems.append(Problem(f"line {number}", f"not valid JSON ({exc})"))
            continue
        if not isinstance(record, dict):
            problems.append(Problem(f"line {number}", 'expected an object like {"id": ..., "prediction": ...}'))
            continue
        missing = [k for k in (ID_COLUMN, PREDICTION_COLUMN) if k not in record]
        if missing:
            has = ", ".join(map(repr, list(record)[:6])) or "no fields"
            problems.append(Problem(f"line {number}", f"missing field {', '.join(map(repr, missing))} (it has {has})"))
            continue
        item_id = record[ID_COLUMN]
        if isinstance(item_id, bool) or not isinstance(item_id, (str, int)):
            problems.append(Problem(f"line {number}", f"field 'id' must be a string, got {item_id!r}"))
            continue
        ids.append(str(item_id))
        values.append(record[PREDICTION_COLUMN])
        lines.append(number)
    if problems:
        raise InvalidPredictions(problems)
    if not ids:
        raise InvalidPredictions([Problem("file", "the file holds no predictions")])
    return RawPredictions(
        ids=pa.array(ids, type=pa.string()),
        values=values,
        format="jsonl",
        line_numbers=np.array(lines, dtype=np.int64),
    )


@dataclass
class IdMatch:
    """How a file's ids match a benchmark's items."""

    position: np.ndarray  # for each file row: its item's index in the benchmark, or -1 if unknown
    rows: np.ndarray | None  # for each benchmark item: the file row predicting it (None if not 1:1)
    problems: list[Problem]
    total: int
    disjoint: bool = False  # no id of the file is in the benchmark: a file for another benchmark?


def match_ids(raw: RawPredictions, item_ids: pa.Array, benchmark: str) -> IdMatch:
    """Match ids; list unknown ids, duplicate ids and missing items (nothing is raised)."""
    n = len(item_ids)
    if len(raw.ids) == n and raw.ids.equals(item_ids):  # the file is in benchmark order
        order = np.arange(n, dtype=np.int64)
        return IdMatch(order, order, [], 0)
    position = pc.fill_null(pc.index_in(raw.ids, value_set=item_ids), -1).to_numpy(zero_copy_only=False)
    position = position.astype(np.int64)
    problems: list[Problem] = []
    total = 0
    unknown = np.flatnonzero(position < 0)
    total += len(unknown)
    for row in unknown[:10]:
        problems.append(Problem(raw.where(row), f"id {raw.id_at(row)!r} is not in benchmark '{benchmark}'"))

    known_rows = np.flatnonzero(position >= 0)
    if len(known_rows) == 0 and len(position) and n:  # one clear message instead of one per row
        message = (
            f"none of the file's {len(position)} ids is in benchmark '{benchmark}' (the file's look like "
            f"{raw.id_at(0)!r}, the benchmark's like {item_ids[0].as_py()!r}): is the file for another benchmark?"
        )
        return IdMatch(position, None, [Problem("file", message)], 1, disjoint=True)
    known_pos = position[known_rows]
    per_item = np.bincount(known_pos, minlength=n)
    if (per_item > 1).any():
        order = np.argsort(known_pos, kind="stable")
        sorted_pos = known_pos[order]
        repeat = np.flatnonzero(sorted_pos[1:] == sorted_pos[:-1]) + 1
        total += len(repeat)
        for k in repeat[:10]:
            row, first = known_rows[order[k]], known_rows[order[k - 1]]
            problems.append(Problem(raw.where(row), f"id {raw.id_at(row)!r} already appeared in {raw.where(first)}"))

    missing = np.flatnonzero(per_item == 0)
    if len(missing):
        total += 1
        examples = ", ".join(repr(item_ids[int(i)].as_py()) for i in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        noun = "item has" if len(missing) == 1 else "items have"
        problems.append(Problem("file", f"{len(missing)} benchmark {noun} no prediction: ids {examples}{more}"))
    rows = None
    if not problems:
        rows = np.empty(n, dtype=np.int64)
        rows[known_pos] = known_rows
    return IdMatch(position, rows, problems, total)
