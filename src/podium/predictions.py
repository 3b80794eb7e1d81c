"""Reading a predictions file (CSV or JSONL) and matching its ids to a benchmark's items.

Only the checks every task type shares live here: size, encoding, emptiness, header, JSON syntax,
and missing / duplicate / unknown ids. What a prediction must look like is the task type's
business (``podium.tasks``).

Locations in messages: CSV problems say ``row N`` (the N-th data row, the header not counted),
JSONL problems say ``line N`` (the physical line in the file).

Files are hostile until checked: messages quote at most a short prefix of any value
(``podium.errors.quote``), and parsing keeps memory to a small multiple of the file size: the bytes
are never decoded into one big string on the usual paths (Arrow validates UTF-8 in place), and
JSONL lines are split a few MB at a time, a longer line parsed from a view of the file's bytes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import threading
import weakref
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from podium.errors import InvalidPredictions, Problem, Problems, quote, quote_value

ID_COLUMN = "id"
PREDICTION_COLUMN = "prediction"
CSV_SUFFIXES = {".csv"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
_BOM = b"\xef\xbb\xbf"
_NOT_BLANK = re.compile(rb"\S")  # the whitespace bytes.strip() strips

try:  # orjson is several times faster on large JSONL files; gradio already installs it
    import orjson

    _loads = orjson.loads
    _JSON_ERRORS: tuple[type[Exception], ...] = (orjson.JSONDecodeError,)
except ImportError:  # pragma: no cover
    _loads = json.loads
    _JSON_ERRORS = (json.JSONDecodeError,)


class _RefusePandas:
    """An import hook that refuses pandas (see ``keep_pandas_out_of_pyarrow``)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("pandas is not imported for pyarrow here", name=name)
        return None


def keep_pandas_out_of_pyarrow() -> bool:
    """For a process that only scores (``podium score``, the backend's scoring processes): stop
    pyarrow importing pandas by itself. pyarrow looks for pandas once per process, on its first
    conversion, and imports it if installed: ~0.3 s, a third of a ``podium score`` run. Scoring
    never needs pandas; pyarrow works without it; ``import pandas`` (the fallback CSV parser,
    ``to_pandas``) still works afterwards. True if pandas was kept out, False if it was imported
    already (then nothing changes)."""
    if "pandas" in sys.modules:
        return False
    refuse = _RefusePandas()
    sys.meta_path.insert(0, refuse)
    try:
        pa.array([0])  # pyarrow's one look for pandas: it finds none, and never looks again
    finally:
        sys.meta_path.remove(refuse)
    return "pandas" not in sys.modules


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
    first = _NOT_BLANK.search(data)  # (not data.lstrip(): that copies the whole file)
    return "jsonl" if first is not None and first.group() == b"{" else "csv"


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
    if _NOT_BLANK.search(data) is None:
        raise InvalidPredictions([Problem("file", "the file is empty")])
    if fmt == "csv":
        return _parse_csv(data)
    if fmt == "jsonl":
        return _parse_jsonl(data)
    raise InvalidPredictions([Problem("file", f"unknown format {quote(fmt)}; use csv or jsonl")])


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _utf8_problem(data: bytes | memoryview, first_line: int = 1) -> Problem | None:
    """The line and byte where ``data`` stops being UTF-8, or None if it is valid."""
    try:
        str(data, "utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + bytes(data[: exc.start]).count(b"\n")
        byte = bytes(data[exc.start : exc.start + 1]).hex()
        return Problem(f"line {line}", f"not valid UTF-8 (byte 0x{byte}); save the file as UTF-8")
    return None


def _check_utf8(buffer: pa.Buffer) -> None:
    """Raise naming the line if ``buffer`` is not UTF-8. Arrow validates in place: no decoded copy."""
    offsets = pa.array([0, buffer.size], type=pa.int64()).buffers()[1]
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, buffer]).validate(full=True)
    except pa.ArrowInvalid:
        problem = _utf8_problem(memoryview(buffer))
        if problem is not None:
            raise InvalidPredictions([problem]) from None


def _header(first: str) -> list[str]:
    try:
        return [c.strip() for c in next(csv.reader([first]))]
    except (csv.Error, StopIteration):
        return []


def _header_problem() -> Problem:
    return Problem("header", f"the first line must be a header with columns '{ID_COLUMN}' and '{PREDICTION_COLUMN}'")


def _parse_csv(data: bytes) -> RawPredictions:
    buffer = pa.py_buffer(data)  # slices of it are views, not copies
    if data.startswith(_BOM):
        buffer = buffer.slice(len(_BOM))
    _check_utf8(buffer)
    end = data.find(b"\n")
    first_line = data[len(_BOM) if data.startswith(_BOM) else 0 : end if end >= 0 else len(data)]
    first_line = first_line.decode("utf-8").strip("\r")
    columns = _header(first_line)
    if ID_COLUMN not in columns or PREDICTION_COLUMN not in columns:
        problem = _header_problem()
        raise InvalidPredictions([Problem(problem.where, f"{problem.message}; found {quote(first_line, 120)}")])
    read_options = pacsv.ReadOptions(column_names=columns, skip_rows=1)
    # Without a quote character no value can hold a line break, and Arrow splits blocks at any
    # newline (fastest). With one, Arrow must parse quotes to find the rows: a quoted "\r" or "\n"
    # is part of a value, not the end of a row (else a row is silently split in two).
    parse_options = pacsv.ParseOptions(newlines_in_values=b'"' in data)
    convert_options = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in columns},
        strings_can_be_null=False,
        include_columns=[ID_COLUMN, PREDICTION_COLUMN],
    )

    def read() -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(buffer),
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )

    try:  # Arrow's multi-threaded reader first; pandas only to explain what is wrong
        try:
            table = read()
        except pa.ArrowInvalid as exc:
            if "straddling" not in str(exc):
                raise
            # A row longer than Arrow's block (a huge value): one block holding the whole file
            # costs far less memory than the pandas path.
            read_options.block_size = buffer.size + 1
            table = read()
        ids = table.column(ID_COLUMN).combine_chunks()
        values = table.column(PREDICTION_COLUMN).combine_chunks()
        del table
    except (pa.ArrowException, ValueError):
        ids, values = _parse_csv_with_pandas(data.decode("utf-8-sig"))
    if len(ids) == 0:
        raise InvalidPredictions([Problem("file", "no predictions after the header")])
    return RawPredictions(ids=ids, values=values, format="csv")


def _parse_csv_with_pandas(text: str) -> tuple[pa.Array, pa.Array]:
    """The slower, more forgiving parser (quoted newlines), with line numbers in its errors."""
    import pandas as pd  # only for the files Arrow refuses

    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, engine="c")
    except pd.errors.ParserError as exc:
        message = str(exc)
        where = "file"
        if " in line " in message:  # "Expected 2 fields in line 5, saw 3"
            line = message.split(" in line ")[1].split(",")[0]
            where = f"line {line}"
            message = message.split("C error: ")[-1]
        raise InvalidPredictions([Problem(where, f"malformed CSV: {quote(message, 200)}")]) from None
    except pd.errors.EmptyDataError:
        raise InvalidPredictions([Problem("file", "the file is empty")]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if ID_COLUMN not in frame.columns or PREDICTION_COLUMN not in frame.columns:
        # The first physical line named both, but as a CSV record the header is another (a quoted
        # field spanning lines).
        raise InvalidPredictions([_header_problem()])
    if frame.columns.duplicated().any():
        frame = frame.loc[:, ~frame.columns.duplicated()]  # the first of repeated columns, as Arrow reads
    return (
        pa.array(frame[ID_COLUMN].tolist(), type=pa.string()),
        pa.array(frame[PREDICTION_COLUMN].tolist(), type=pa.string()),
    )


_LINES_CHUNK = 4 << 20


def _jsonl_chunks(data: bytes):
    """``(number of the first line, lines)`` for the file's physical lines, a few MB at a time.

    Lines are split by ``bytes.split`` per chunk (fast, and the copies stay small); a line longer
    than a chunk comes alone, as a view of the file's bytes (never copied).
    """
    view = memoryview(data)
    start = len(_BOM) if data.startswith(_BOM) else 0
    size = len(data)
    number = 1
    while start <= size:
        if size - start <= _LINES_CHUNK:
            stop = size
        else:
            stop = data.rfind(b"\n", start, start + _LINES_CHUNK)
            if stop < 0:  # a line longer than a chunk
                stop = data.find(b"\n", start)
                stop = size if stop < 0 else stop
                yield number, [view[start:stop]]
                number += 1
                start = stop + 1
                continue
        lines = data[start:stop].split(b"\n")
        yield number, lines
        number += len(lines)
        start = stop + 1


def _parse_jsonl(data: bytes) -> RawPredictions:
    ids: list[str] = []
    values: list[Any] = []
    lines: list[int] = []
    problems = Problems()  # a million bad lines are counted, not all described
    for first, chunk in _jsonl_chunks(data):
        for number, line in enumerate(chunk, first):
            record = _jsonl_record(line, number, problems)
            if record is not None:
                ids.append(str(record[ID_COLUMN]))
                values.append(record[PREDICTION_COLUMN])
                lines.append(number)
    problems.raise_if_any()
    if not ids:
        raise InvalidPredictions([Problem("file", "the file holds no predictions")])
    return RawPredictions(
        ids=pa.array(ids, type=pa.string()),
        values=values,
        format="jsonl",
        line_numbers=np.array(lines, dtype=np.int64),
    )


def _jsonl_record(line: bytes, number: int, problems: Problems) -> dict | None:
    """One JSONL line's record, checked; None (and the problem noted) when it is not one, or blank."""
    where = f"line {number}"
    try:
        record = _loads(line)
    except _JSON_ERRORS as exc:
        # (only here is a line decoded: a blank line, in Unicode's sense as before, is skipped)
        utf8 = _utf8_problem(line, number)
        if utf8 is not None:
            problems.add(where, utf8.message)
        elif str(line, "utf-8").strip():
            problems.add(where, f"not valid JSON ({quote(str(exc), 200)})")
        return None
    if not isinstance(record, dict):
        problems.add(where, f'expected an object like {{"id": ..., "prediction": ...}}, got {quote_value(record)}')
        return None
    if ID_COLUMN not in record or PREDICTION_COLUMN not in record:
        missing = ", ".join(repr(k) for k in (ID_COLUMN, PREDICTION_COLUMN) if k not in record)
        has = ", ".join(quote(k) for k in list(record)[:6]) or "no fields"
        problems.add(where, f"missing field {missing} (it has {has})")
        return None
    item_id = record[ID_COLUMN]
    if isinstance(item_id, bool) or not isinstance(item_id, (str, int)):
        problems.add(where, f"field 'id' must be a string, got {quote_value(item_id)}")
        return None
    return record


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
    position = positions(raw.ids, item_ids)
    problems: list[Problem] = []
    total = 0
    unknown = np.flatnonzero(position < 0)
    total += len(unknown)
    for row in unknown[:10]:
        problems.append(Problem(raw.where(row), f"id {quote(raw.id_at(row))} is not in benchmark '{benchmark}'"))

    known_rows = np.flatnonzero(position >= 0)
    if len(known_rows) == 0 and len(position) and n:  # one clear message instead of one per row
        message = (
            f"none of the file's {len(position)} ids is in benchmark '{benchmark}' (the file's look like "
            f"{quote(raw.id_at(0))}, the benchmark's like {quote(item_ids[0].as_py())}): is the file for another "
            "benchmark?"
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
            message = f"id {quote(raw.id_at(row))} already appeared in {raw.where(first)}"
            problems.append(Problem(raw.where(row), message))

    missing = np.flatnonzero(per_item == 0)
    if len(missing):
        total += 1
        examples = ", ".join(quote(item_ids[int(i)].as_py()) for i in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        noun = "item has" if len(missing) == 1 else "items have"
        problems.append(Problem("file", f"{len(missing)} benchmark {noun} no prediction: ids {examples}{more}"))
    rows = None
    if not problems:
        rows = np.empty(n, dtype=np.int64)
        rows[known_pos] = known_rows
    return IdMatch(position, rows, problems, total)


# --------------------------------------------------------------------------- where each id is


def positions(ids: pa.Array, item_ids: pa.Array) -> np.ndarray:
    """For each of ``ids``: the index of the equal value in ``item_ids`` (distinct strings), or -1.

    Equal to ``pyarrow.compute.index_in`` (nulls -1). Usual ids (short strings) are matched by
    sorting 64-bit hashes of both sides and comparing the bytes of each pair found, a few times
    faster than Arrow's hash table on a million ids; other inputs use ``index_in``.
    """
    found = _positions_by_sorted_hashes(ids, item_ids)
    if found is None:
        found = pc.fill_null(pc.index_in(ids, value_set=item_ids), -1).to_numpy(zero_copy_only=False)
    return found.astype(np.int64, copy=False)


_LONGEST_HASHED = 64  # bytes; a longer id sends the whole match to index_in
_SEED = 0x9E3779B97F4A7C15
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)  # the low k bytes


class _IdBytes:
    """The UTF-8 bytes of a string array, 8 at a time: ``columns[k]`` holds bytes 8k..8k+7 of every
    string as a little-endian integer, zero past its end (so strings of equal length are equal
    if and only if their columns are)."""

    def __init__(self, array: pa.Array):
        _, offsets, data = array.buffers()
        kind = np.int64 if pa.types.is_large_string(array.type) else np.int32
        offsets = np.frombuffer(offsets, dtype=kind)[array.offset : array.offset + len(array) + 1].astype(np.int64)
        self.starts = offsets[:-1]
        self.lengths = np.diff(offsets)
        self.longest = int(self.lengths.max(initial=0))
        self.shortest = int(self.lengths.min(initial=0))
        self._data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
        self._columns: list[np.ndarray] | None = None

    @property
    def columns(self) -> list[np.ndarray]:
        if self._columns is None:
            n_words = -(-self.longest // 8)
            padded = np.zeros(len(self._data) + 8 * n_words + 8, dtype=np.uint8)  # reads past the end see zeros
            padded[: len(self._data)] = self._data
            # Every byte position as the start of an unaligned 8-byte word: a view, no copy.
            words = np.ndarray(shape=(len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
            lengths = self.lengths.astype(np.uint8)  # (only strings of at most _LONGEST_HASHED bytes get here)
            self._columns = []
            for k in range(n_words):
                column = words[self.starts + 8 * k if k else self.starts]
                if self.shortest < 8 * (k + 1):  # keep each string's own bytes: a mask per string length
                    column &= _MASKS[np.clip(np.arange(256) - 8 * k, 0, 8)][lengths]
                self._columns.append(column)
        return self._columns

    @property
    def has_nul(self) -> bool:
        return len(self._data) > 0 and self._data.min() == 0

    def hashes(self, seed: int) -> np.ndarray:
        """A 64-bit hash of every string: its length and its words, each weighed by its place, then
        mixed. A zero word adds nothing, so a string's hash does not depend on how long the longest
        string beside it is."""
        h = self.lengths.astype(np.uint64) * np.uint64(seed)
        for k, column in enumerate(self.columns):
            word = column >> np.uint64(29)
            word ^= column
            word *= np.uint64((seed * (2 * k + 3)) % 2**64)
            h += word
        return _mixed(h)


def _mixed(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, in place: every bit of ``x`` moves every bit of the result; 0 stays 0."""
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    x ^= x >> np.uint64(33)
    return x


class _ItemIndex:
    """The benchmark's side of ``positions``, built once per item array (``_item_index``): its ids'
    bytes, their hashes sorted, and where each bucket of hashes starts, so an id of a file is found
    by looking in its bucket (about one item), not by sorting the file.

    A hash here is the high ``64 - bits`` bits of ``_IdBytes.hashes``; the low ``bits`` carry the
    item's index while sorting (``np.sort`` on integers is several times faster than ``argsort``).
    Items whose hashes are equal are ``crowd`` (their indices) and ``crowded`` (their hashes)."""

    def __init__(self, item_ids: pa.Array):
        n = len(item_ids)
        self.bytes = _IdBytes(item_ids)
        self.usable = self.bytes.longest <= _LONGEST_HASHED
        if not self.usable:  # (positions then uses index_in)
            return
        self.bits = max(int(n - 1).bit_length(), 1)
        row_mask = np.uint64((1 << self.bits) - 1)
        keys = np.sort((self.bytes.hashes(_SEED) & ~row_mask) | np.arange(n, dtype=np.uint64))
        hashes = keys >> np.uint64(self.bits)  # below 2**63
        # 2**(bits + 2) buckets (4 to 8 per item, so most ids find their item first in their bucket):
        # a hash's bucket is its top bits + 2 bits; ``starts[b]`` is where bucket b starts in sort order.
        bucket_bits = self.bits + 2
        self.bucket_shift = np.uint64(64 - self.bits - bucket_bits)
        sizes = np.bincount((hashes >> self.bucket_shift).astype(np.intp), minlength=1 << bucket_bits)
        self.starts = np.zeros(len(sizes) + 1, dtype=np.int32 if n < 2**31 else np.int64)
        np.cumsum(sizes, out=self.starts[1:])
        # One more item past the end, with a hash no id has: an empty last bucket looks at it.
        self.hash = np.append(hashes, np.uint64(2**64 - 1))
        self.row = np.append((keys & row_mask).astype(np.int64), -1)
        shared = np.flatnonzero(hashes[1:] == hashes[:-1])
        self.crowd = self.row[np.union1d(shared, shared + 1)]
        self.crowded = hashes[shared]  # sorted

    def hashes_of(self, file: _IdBytes) -> np.ndarray:
        return file.hashes(_SEED) >> np.uint64(self.bits)

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """For each hash: the index of an item with that hash (the first in sort order), or -1."""
        bucket = hashes >> self.bucket_shift
        first = self.starts[bucket]
        # The first item of each bucket, for all ids at once. An empty bucket's ``first`` is the next
        # bucket's first item, whose hash is higher than any of this bucket's.
        seen = self.hash[first]
        position = self.row[first]
        position[seen != hashes] = -1
        # The few others: step through their buckets (sorted: past the hash, it is not there).
        active = np.flatnonzero(seen < hashes)
        candidate, end, wanted = first[active] + 1, self.starts[bucket[active] + 1], hashes[active]
        while len(active):
            inside = candidate < end
            active, candidate, end, wanted = active[inside], candidate[inside], end[inside], wanted[inside]
            seen = self.hash[candidate]
            hit = seen == wanted
            position[active[hit]] = self.row[candidate[hit]]
            more = seen < wanted
            active, candidate, end, wanted = active[more], candidate[more] + 1, end[more], wanted[more]
        return position


_ITEM_INDEXES: dict[int, tuple[weakref.ref, _ItemIndex]] = {}
_INDEXES_LOCK = threading.Lock()
_KEPT_INDEXES = 8  # the benchmarks whose item index is kept (a warm scoring process scores many files of each)


def _item_index(item_ids: pa.Array) -> _ItemIndex:
    """The ``_ItemIndex`` of ``item_ids``, built on first use and kept while the array lives (the
    gold set holds it), for the last few arrays."""
    key = id(item_ids)
    kept = _ITEM_INDEXES.get(key)
    if kept is not None and kept[0]() is item_ids:
        return kept[1]
    index = _ItemIndex(item_ids)
    with _INDEXES_LOCK:  # (two threads may match files at once)
        while len(_ITEM_INDEXES) >= _KEPT_INDEXES:
            _ITEM_INDEXES.pop(next(iter(_ITEM_INDEXES)), None)
        _ITEM_INDEXES[key] = (weakref.ref(item_ids), index)
    return index


def _positions_by_sorted_hashes(ids: pa.Array, item_ids: pa.Array) -> np.ndarray | None:
    """``positions`` by hashing; None when it does not apply (long or null ids). Exact: a hash
    only proposes the item an id may be, the bytes decide; items that share a hash are told apart
    by ``index_in`` among themselves."""
    if not all(pa.types.is_string(a.type) or pa.types.is_large_string(a.type) for a in (ids, item_ids)):
        return None
    if ids.null_count or item_ids.null_count or len(item_ids) == 0 or len(ids) == 0:
        return None
    if _IdBytes(ids).longest > _LONGEST_HASHED or len(item_ids) > 2**31:
        return None
    items = _item_index(item_ids)
    if not items.usable:
        return None
    # Two halves of a large file in two threads (numpy releases the GIL while it gathers and compares).
    parts = [ids] if len(ids) < _SPLIT_FROM or _cores() < 2 else [ids.slice(0, len(ids) // 2), ids.slice(len(ids) // 2)]
    if len(parts) == 1:
        found = [_found(items, ids)]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=len(parts), thread_name_prefix="podium-ids") as pool:
            found = list(pool.map(partial(_found, items), parts))
    position = np.concatenate([p for p, _ in found]) if len(found) > 1 else found[0][0]
    hashes = np.concatenate([h for _, h in found]) if len(found) > 1 else found[0][1]
    if len(items.crowded):  # a proposal named one item of several with its hash: look those ids up among them
        at = np.minimum(np.searchsorted(items.crowded, hashes), len(items.crowded) - 1)
        rows = np.flatnonzero(items.crowded[at] == hashes)
        found_crowd = pc.index_in(ids.take(rows), value_set=item_ids.take(items.crowd))
        found_crowd = pc.fill_null(found_crowd, -1).to_numpy(zero_copy_only=False)
        position[rows] = np.where(found_crowd >= 0, items.crowd[found_crowd], -1)
    return position


_SPLIT_FROM = 200_000  # ids from which a file is matched in two threads


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _found(items: _ItemIndex, ids: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(the confirmed position of each id, or -1; each id's hash)."""
    file = _IdBytes(ids)
    hashes = items.hashes_of(file)
    return _confirmed(items.find(hashes), file, items.bytes), hashes


def _confirmed(position: np.ndarray, file: _IdBytes, items: _IdBytes) -> np.ndarray:
    """``position`` with -1 where the id's bytes differ from the proposed item's."""
    every = bool((position >= 0).all())  # the usual case: no gather on the file's side
    proposed = np.arange(len(position)) if every else np.flatnonzero(position >= 0)
    item = position if every else position[proposed]

    def mine(values: np.ndarray) -> np.ndarray:
        return values if every else values[proposed]

    # Without NUL bytes, equal zero-padded words mean equal strings; with them, "a" and "a\0" differ in length only.
    same = mine(file.lengths) == items.lengths[item] if file.has_nul or items.has_nul else np.ones(len(item), bool)
    for k in range(max(len(file.columns), len(items.columns))):  # a word one side lacks is zero
        if k >= len(items.columns):
            same &= mine(file.columns[k]) == 0
        elif k >= len(file.columns):
            same &= items.columns[k][item] == 0
        else:
            same &= mine(file.columns[k]) == items.columns[k][item]
    position[proposed[~same]] = -1
    return position
