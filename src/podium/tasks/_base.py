"""What a task type is: its files' fields, how predictions are checked, how they are scored."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pyarrow as pa

from podium.bootstrap import GroupedStatistic
from podium.errors import BenchmarkError, quote, quote_value
from podium.predictions import RawPredictions
from podium.schema import BenchmarkCard, Outcomes

if TYPE_CHECKING:  # pandas only builds benchmarks (prepare): imported there, not with the task types
    import pandas as pd

ID = "id"


@dataclass
class Scoring:
    """What a task type returns for one submission, before intervals are attached."""

    metrics: dict[str, float]
    details: dict[str, dict[str, dict[str, float]]]
    outcomes: Outcomes | None
    statistics: list[GroupedStatistic] = field(default_factory=list)
    metric_version: str = ""


@dataclass
class GoldSet:
    """A benchmark's items in order: their ids and gold answers (loaded from the private store).

    Both stay Arrow arrays, so matching a million ids or labels never builds Python objects.
    """

    card: BenchmarkCard
    ids: pa.Array
    gold: pa.Array
    extra_metrics: dict[str, Path] = field(default_factory=dict)  # name -> installed module folder
    _gold_list: list | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def gold_list(self) -> list:
        if self._gold_list is None:
            self._gold_list = self.gold.to_pylist()
        return self._gold_list


class TaskType:
    """Base class of the task type registry; one subclass per module in ``podium.tasks``."""

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    input_fields: ClassVar[tuple[str, ...]]
    optional_input_fields: ClassVar[tuple[str, ...]] = ()
    gold_field: ClassVar[str]
    metrics: ClassVar[tuple[str, ...]]  # the first is the default primary metric
    metric_module: ClassVar[str]
    aliases: ClassVar[dict[str, str]] = {}  # source column -> field
    spellings: ClassVar[tuple[str, ...]] = ()  # other names the API and the CLI accept for the task type
    prediction_help: ClassVar[str]

    # ------------------------------------------------------------------ benchmarks

    def prepare(self, table: pd.DataFrame, card: BenchmarkCard) -> tuple[pd.DataFrame, pd.DataFrame, BenchmarkCard]:
        """Split a benchmark's source table into public inputs and private gold answers."""
        import pandas as pd

        table = table.rename(
            columns={k: v for k, v in self.aliases.items() if k in table.columns and v not in table.columns}
        )
        if ID not in table.columns:
            table = table.assign(**{ID: [str(i) for i in range(1, len(table) + 1)]})
        missing = [f for f in (*self.input_fields, self.gold_field) if f not in table.columns]
        if missing:
            raise BenchmarkError(
                f"benchmark data has no column {', '.join(map(repr, missing))} "
                f"(columns: {', '.join(map(str, table.columns))}); map one with --column FIELD=NAME"
            )
        if len(table) == 0:
            raise BenchmarkError("benchmark data has no rows")
        ids = table[ID].map(_id_text)
        bad = ids.isna() | (ids == "")
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
            raise BenchmarkError(f"row {row}: empty or invalid id {quote_value(table[ID].iloc[row - 1])}")
        dup = ids.duplicated()
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0]) + 1
            raise BenchmarkError(f"row {row}: duplicate id {quote(ids.iloc[row - 1])}")
        table = table.assign(**{ID: ids})
        gold, card = self.prepare_gold(table, card)
        public = [ID, *self.input_fields, *(f for f in self.optional_input_fields if f in table.columns)]
        inputs = table[public].reset_index(drop=True)
        gold_table = pd.DataFrame({ID: ids.to_numpy(), self.gold_field: gold.to_numpy()})
        card = card.model_copy(update={"n_items": len(table)})
        return inputs, gold_table, card

    def prepare_gold(self, table: pd.DataFrame, card: BenchmarkCard) -> tuple[pd.Series, BenchmarkCard]:
        raise NotImplementedError

    # ------------------------------------------------------------------ predictions

    def check(self, raw: RawPredictions, position: np.ndarray, gold: GoldSet) -> Any:
        """Validate prediction values, in file order; raise ``InvalidPredictions`` naming the rows.

        ``position[i]`` is the benchmark index of file row i (-1 for an unknown id: skip the
        checks that need the item). Returns an array or list in file order.
        """
        raise NotImplementedError

    def score(self, gold: GoldSet, predictions: Any, keep_outcomes: bool = True) -> Scoring:
        """Metrics, per-item outcomes (``None`` unless ``keep_outcomes``) and CI statistics."""
        raise NotImplementedError

    # ------------------------------------------------------------------ evaluate modules

    def evaluate_inputs(self, gold: GoldSet, predictions: Any) -> tuple[list, list]:
        """(predictions, references), one of each per item in benchmark order, in the form this task
        type's ``evaluate`` module takes them: what an extra metric's ``compute`` is given."""
        return list(predictions), gold.gold_list()

    def perfect_predictions(self, gold: GoldSet) -> Any:
        """The gold answers as ``check`` returns predictions (to try an extra metric on)."""
        return gold.gold_list()


def _id_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


MAX_HINT_CHARS = 200  # longer values get no "did you mean" hint: difflib's cost grows with the length


def closest(value: str, options: list[str]) -> str:
    """A hint naming the closest valid option, or '' when nothing is close."""
    if len(value) > MAX_HINT_CHARS:
        return ""
    lowered = {o.lower(): o for o in options}
    if value.lower().strip() in lowered:
        return f" (did you mean {quote(lowered[value.lower().strip()])}?)"
    match = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return f" (did you mean {quote(match[0])}?)" if match else ""


def listing(options: list[str], limit: int = 20) -> str:
    """``options`` for a message: the first ``limit``, each quoted short, and how many more."""
    shown = ", ".join(o if len(o) <= 40 and o.isprintable() else quote(o) for o in options[:limit])
    return shown + (f" and {len(options) - limit} more" if len(options) > limit else "")
