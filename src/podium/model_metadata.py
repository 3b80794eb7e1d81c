"""What a model is, as a submitter gives it (type, size, licence) and as viewers filter by it.

One place for the words people type (``Open weights``, ``7B``, ``350M``) and for the filters the
page and the REST API apply to a leaderboard's rows, as the Open LLM Leaderboard filters by type
and size. The stored form is ``ModelInfo``'s (``podium.schema``): ``model_type`` one of
``MODEL_TYPES``, ``params_b`` in billions, ``license`` a short text.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from podium.errors import InvalidField, quote
from podium.names import check_name
from podium.schema import MAX_LICENSE_LENGTH, MAX_PARAMS_B, MODEL_TYPES, NO_LICENSE

UNKNOWN = "unknown"  # the filter value for rows that do not say (a type, a size or a licence)
MAX_LICENSES = 200  # licences one filter names at most (and a page view offers at most)

# size filter value -> (title, lowest, highest) in billions: lowest < params_b <= highest
SIZES: dict[str, tuple[str, float, float]] = {
    "up-to-3b": ("Up to 3B", 0.0, 3.0),
    "3b-10b": ("3B–10B", 3.0, 10.0),
    "10b-40b": ("10B–40B", 10.0, 40.0),
    "40b-100b": ("40B–100B", 40.0, 100.0),
    "over-100b": ("Over 100B", 100.0, math.inf),
}

_TYPE_WORDS = {t: t for t in MODEL_TYPES} | {
    "open": "open-weights", "open weights": "open-weights", "open-weight": "open-weights", "weights": "open-weights",
    "closed": "api", "proprietary": "api", "api only": "api",
    "fine tuned": "fine-tuned", "finetuned": "fine-tuned", "fine-tune": "fine-tuned", "finetune": "fine-tuned",
}  # fmt: skip
_PARAMS = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmbt]?)\s*$", re.IGNORECASE | re.ASCII)
_UNITS = {"": 1.0, "b": 1.0, "m": 1e-3, "k": 1e-6, "t": 1e3}


def model_type(value: str | None) -> str | None:
    """``open-weights``, ``api`` or ``fine-tuned`` from what a person typed (``Open weights``,
    ``API``, ``fine_tuned``); ``None`` when empty; ``InvalidField("model type", ...)`` otherwise."""
    if value is None or not str(value).strip():
        return None
    words = re.sub(r"[\s_]+", " ", str(value).strip().lower())
    found = _TYPE_WORDS.get(words) or _TYPE_WORDS.get(words.replace(" ", "-"))
    if found is None:
        raise InvalidField("model type", f"{quote(str(value))} is not one of {', '.join(MODEL_TYPES)}")
    return found


def parameters(value: str | float | None) -> float | None:
    """Billions of parameters from ``7``, ``7B``, ``350M``, ``1.8T`` or a number; ``None`` when empty;
    ``InvalidField("parameters", ...)`` for anything else or a size no model has."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidField("parameters", "must be a number of billions (7, 7B, 350M), not true/false")
    if isinstance(value, (int, float)):
        billions = float(value)
    else:
        match = _PARAMS.match(str(value))
        if match is None:
            raise InvalidField("parameters", f"{quote(str(value))} is not a size such as 7, 7B, 350M or 1.8T")
        billions = float(match.group(1)) * _UNITS[match.group(2).lower()]
    billions = round(billions, 6) if math.isfinite(billions) else billions  # (the stored precision: 1,000 parameters)
    if not math.isfinite(billions) or not 0 < billions <= MAX_PARAMS_B:
        raise InvalidField("parameters", f"{quote(str(value))} is not a size a model has (from 1,000 parameters, "
                                         "at most 100T)")  # fmt: skip
    return billions


def size_of(params_b) -> str:
    """The size filter value of a row's ``params_b`` (``UNKNOWN`` when it has none)."""
    if params_b is None or params_b != params_b:
        return UNKNOWN
    return next(key for key, (_, low, high) in SIZES.items() if low < params_b <= high)


def licence_key(name: str | None) -> str:
    """How licences compare: normalised as stored (``check_name``), in any case; ``UNKNOWN`` for none."""
    if name is None:
        return UNKNOWN
    text = check_name(name, "license", max_length=MAX_LICENSE_LENGTH)
    if text is None:
        raise InvalidField("license", "a licence to filter by is blank")
    return UNKNOWN if text.casefold() in NO_LICENSE else text.casefold()


def filters(
    types: list[str] | None = None, sizes: list[str] | None = None, licenses: list[str] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The filters checked and in one form (sorted, each value once, licences by ``licence_key``),
    so equal filters are equal keys; ``InvalidField`` naming the first value no filter offers."""
    if licenses and len(licenses) > MAX_LICENSES:
        raise InvalidField("license", f"at most {MAX_LICENSES} licences, got {len(licenses)}")
    _check(types or [], [*MODEL_TYPES, UNKNOWN], "model_type")
    _check(sizes or [], [*SIZES, UNKNOWN], "size")
    keys = {UNKNOWN if name == UNKNOWN else licence_key(name) for name in licenses or []}
    return tuple(sorted(set(types or []))), tuple(sorted(set(sizes or []))), tuple(sorted(keys))


def filter_rows(
    table: pd.DataFrame,
    types: list[str] | None = None,
    sizes: list[str] | None = None,
    licenses: list[str] | None = None,
) -> pd.DataFrame:
    """The rows of a leaderboard table whose model is of one of ``types`` (``MODEL_TYPES`` or
    ``UNKNOWN``), of one of ``sizes`` (``SIZES`` keys or ``UNKNOWN``) and under one of ``licenses``
    (case-insensitive; ``UNKNOWN`` for none given). ``None`` or empty: no filter on that field.
    Unknown filter values are refused (``InvalidField``), so a typo never empties a table silently."""
    types, sizes, licenses = filters(types, sizes, licenses)
    keep = np.ones(len(table), dtype=bool)
    if types:
        values = table["model_type"].fillna(UNKNOWN) if "model_type" in table else pd.Series(UNKNOWN, index=table.index)
        keep &= values.isin(types).to_numpy()
    if sizes:
        params = table["params_b"] if "params_b" in table else pd.Series(np.nan, index=table.index)
        keep &= np.array([size_of(p) in sizes for p in params.astype(float)], dtype=bool)
    if licenses:
        wanted = set(licenses)
        values = table["license"] if "license" in table else pd.Series(None, index=table.index, dtype=object)
        keep &= np.array([(v.casefold() if isinstance(v, str) else UNKNOWN) in wanted for v in values], dtype=bool)
    return table if keep.all() else table[keep].reset_index(drop=True)


def with_facts(table: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """A table of models across benchmarks (an overall table) with what the submitters said of
    each (``Snapshot.model_facts``: type, size, licence), so it shows and filters as a benchmark's
    table does; models that said nothing get empty fields."""
    if not len(table):
        return table.assign(model_type=pd.Series(dtype=object), params_b=pd.Series(dtype=float),
                            license=pd.Series(dtype=object))  # fmt: skip
    joined = table.merge(facts, on="model", how="left", sort=False)
    for name in ("model_type", "license"):
        joined[name] = joined[name].astype(object).where(joined[name].notna(), None)
    joined["params_b"] = joined["params_b"].astype(float)
    return joined


def _check(values: list[str], allowed: list[str], field: str) -> None:
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise InvalidField(field, f"{quote(wrong[0])} is not one of {', '.join(allowed)}")
