"""Per-item outcomes, stored apart from the result file: the one place that knows how.

A result file holds what every reader needs (metrics, intervals, provenance). Its per-item outcomes,
which only compare reads, go into a file of their own beside it, ``<request-id>.outcomes.parquet``:
one column per outcome field, one row per item in benchmark order, zstd-compressed, each column in
the narrowest type that holds its values exactly (0/1 flags and counts as small integers; other
numbers as float32 when every value is exact in it, else float64). The result names that file
(``outcomes_file``) and records its SHA-256 (``outcomes_sha256``): a file replaced or damaged after
the fact is refused, never compared.

The outcomes file is written first, then the result, each atomically: a result never exists
without its outcomes, and an outcomes file without a result (its writer died between the two) is
garbage that ``remove_orphans`` deletes once it is old. Results written before this layout carry
their outcomes inline (``Result.outcomes``) and are read as they always were.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from podium import atomic
from podium.errors import quote
from podium.schema import Outcomes, Result

SUFFIX = ".outcomes.parquet"
FORMAT_VERSION = 1
METADATA_KEY = b"podium.outcomes"  # the file's key-value metadata: format version, fields, extras
IDS_COLUMN = "__item_id__"  # only when the outcomes carry their own item order (``Outcomes.ids``)


class OutcomesError(ValueError):
    """A result's outcomes file that is missing, damaged, or not the one the result was written with."""


def file_name(result_name: str) -> str:
    """The outcomes file's name for the result file named ``result_name`` (``<id>.json``)."""
    return result_name.removesuffix(".json") + SUFFIX


# --------------------------------------------------------------------------- the file's bytes


def encode(outcomes: Outcomes) -> bytes:
    """The outcomes file's bytes (the same outcomes always give the same bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = list(outcomes.fields)
    rows = np.asarray(outcomes.values)
    if rows.size == 0:
        rows = np.zeros((0, len(fields)))
    elif rows.ndim == 1:  # one value per item
        rows = rows.reshape(-1, 1)
    if rows.dtype.kind not in "biuf" or rows.ndim != 2 or rows.shape[1] != len(fields):
        raise ValueError(f"outcomes must be {len(fields)} number(s) per item ({', '.join(fields)})")
    arrays = [pa.array(_narrowest(rows[:, i])) for i in range(len(fields))]
    names = list(fields)
    if outcomes.ids is not None:
        arrays.append(pa.array(outcomes.ids, type=pa.string()))
        names.append(IDS_COLUMN)
    table = pa.Table.from_arrays(arrays, names=names)
    about = {"format_version": FORMAT_VERSION, "fields": fields}
    if outcomes.ids is not None:
        about["ids"] = True
    if outcomes.model_extra:
        about["extra"] = outcomes.model_extra
    sink = pa.BufferOutputStream()
    # No statistics and no stored Arrow schema: the column types say all, and at 320 items those
    # footers would be a third of the file.
    with pq.ParquetWriter(sink, table.schema, compression="zstd", write_statistics=False, store_schema=False) as out:
        out.write_table(table)
        out.add_key_value_metadata({METADATA_KEY: json.dumps(about, sort_keys=True)})
    return sink.getvalue().to_pybytes()


def _narrowest(column: np.ndarray) -> np.ndarray:
    """``column`` in the narrowest numeric type that holds every value exactly."""
    if column.dtype.kind == "b":
        return column.astype(np.uint8)
    if column.dtype.kind == "f":
        whole = bool(np.all(np.abs(column) < 2**53)) and np.array_equal(np.trunc(column), column)  # no NaN either
        if not whole:
            single = column.astype(np.float32)
            return single if np.array_equal(single.astype(np.float64), column, equal_nan=True) else column
        column = column.astype(np.int64)
    if column.size == 0:
        return column.astype(np.uint8)
    low, high = int(column.min()), int(column.max())
    if low >= 0:
        return column.astype(np.min_scalar_type(high))
    # -high - 1 needs the same signed type as high: -3 and 120 fit int8 (not uint8 and int8: int16)
    return column.astype(np.result_type(np.min_scalar_type(low), np.min_scalar_type(-high - 1)))


def decode(data: bytes, *, source: str = "outcomes file") -> Outcomes:
    """The outcomes in an outcomes file's bytes; ``OutcomesError`` naming ``source`` if it is not one."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(pa.BufferReader(data))
        about = json.loads((file.metadata.metadata or {})[METADATA_KEY])
        fields = about["fields"]
        table = file.read()
        if not isinstance(fields, list) or table.column_names[: len(fields)] != fields:
            raise ValueError(f"its columns {table.column_names} are not its fields {fields}")
        columns = [table.column(i).to_numpy().tolist() for i in range(len(fields))]
        ids = table.column(IDS_COLUMN).to_pylist() if about.get("ids") else None
        return Outcomes.model_validate(
            {**about.get("extra", {}), "fields": fields, "values": [list(row) for row in zip(*columns, strict=True)],
             "ids": ids}
        )  # fmt: skip
    except (pa.ArrowException, KeyError, TypeError, ValueError) as exc:
        raise OutcomesError(f"{source}: not a readable outcomes file ({type(exc).__name__}: {exc})") from None


# --------------------------------------------------------------------------- beside a result file


def detach(result: Result, result_name: str) -> tuple[Result, bytes | None]:
    """What to write for ``result`` as the file ``result_name``: the result without inline outcomes,
    naming its outcomes file and that file's SHA-256, and the outcomes file's bytes (``None`` for a
    result that kept no outcomes). Write the outcomes file first."""
    if result.outcomes is None:
        if result.outcomes_file:  # read without its outcomes: writing it elsewhere would lose them
            raise ValueError("the result's outcomes were not loaded; read it with podium.outcomes.read_result")
        return result, None
    data = encode(result.outcomes)
    update = {"outcomes": None, "outcomes_file": file_name(result_name), "outcomes_sha256": _sha256(data)}
    return result.model_copy(update=update), data


def write_result(path: Path, result: Result) -> None:
    """Write ``result`` at ``path``: its outcomes file first, then the result file, each atomically."""
    path = Path(path)
    shown, data = detach(result, path.name)
    if data is not None:
        atomic.write_bytes(path.with_name(shown.outcomes_file), data)
    atomic.write_text(path, shown.to_json())


def load(result: Result, path: Path) -> Outcomes | None:
    """The per-item outcomes of ``result``, read from ``path``: inline (older files) or from the
    outcomes file beside it, checked against the SHA-256 the result records; ``None`` when it kept
    none. Raises ``OutcomesError`` saying what is wrong with the outcomes file."""
    if result.outcomes is not None:
        return result.outcomes
    if result.outcomes_file is None:
        return None
    path = Path(path)
    expected = file_name(path.name)
    named, where = f"{path.parent.name}/{path.name}", f"{path.parent.name}/{expected}"  # never the full path
    if result.outcomes_file != expected:
        raise OutcomesError(f"{named}: names {quote(result.outcomes_file)} as its outcomes file, not {expected!r}")
    if result.outcomes_sha256 is None:
        raise OutcomesError(f"{named}: records no SHA-256 of its outcomes file")
    from podium.results import ResultFileError, read_regular_file

    try:
        data = read_regular_file(path.with_name(expected))
    except FileNotFoundError:
        raise OutcomesError(f"{where}: missing (the result's per-item outcomes are not there)") from None
    except ResultFileError as exc:
        raise OutcomesError(f"{where}: {exc}") from None
    except OSError as exc:
        raise OutcomesError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    if _sha256(data) != result.outcomes_sha256:
        raise OutcomesError(f"{where}: not the file its result was written with (its SHA-256 differs); refused")
    return decode(data, source=where)


def read_result(path: Path) -> Result:
    """The result file at ``path`` with its per-item outcomes (``load``) in ``outcomes``."""
    result = Result.read(path)
    outcomes = load(result, path)
    return result if outcomes is result.outcomes else result.model_copy(update={"outcomes": outcomes})


def remove_orphans(folder: Path, older_than_seconds: float) -> list[Path]:
    """Delete the outcomes files below ``folder`` that have no result file (their writer died between
    the two) and were neither written nor renamed for ``older_than_seconds`` (a staged pair published
    late keeps its old modification time, but the rename is its change time); the paths removed."""
    import time

    folder = Path(folder)
    if not folder.is_dir():
        return []
    cutoff = time.time() - older_than_seconds
    removed = []
    for path in folder.rglob(f"*{SUFFIX}"):
        if path.name.startswith(".") or path.with_name(path.name.removesuffix(SUFFIX) + ".json").exists():
            continue
        try:
            st = path.lstat()
            if max(st.st_mtime, st.st_ctime) < cutoff:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:  # removed meanwhile
            pass
    return removed


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
