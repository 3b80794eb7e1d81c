"""The About tab: what is measured, how intervals and ranks work, how to submit."""

from __future__ import annotations

import gradio as gr

ABOUT = """
## What Podium measures

Each benchmark has public inputs and private gold answers. A submission is a file with one
prediction per item; the backend scores it against the gold answers with the benchmark's metrics:

{tasks}

Classification and NER results also carry per-class / per-entity-type precision, recall and F1
(the Models tab shows them).

The numbers equal scikit-learn, seqeval, the official SQuAD v1.1 script and rouge_score on the
same inputs (Podium's tests check it).

## Confidence intervals and ranks

Every verified score has a 95% percentile-bootstrap interval (10,000 resamples of sufficient
statistics, seeded by benchmark and submission, so a rescore gives the same interval).
**Rank** orders by score (ties share a rank). **Rank (UB)** is 1 + the number of models whose
interval lies entirely above this model's: models that cannot be told apart share it.
**Verified** results were scored here from predictions; **reported** ones were added by a
maintainer with their numbers.

## Submitting from the command line, CI or code

Set `PODIUM_URL` to this page's address and `PODIUM_TOKEN` to the token a maintainer gave you
(`podium token create --role submitter`); `pip install` this repository for the `podium` command.

```bash
export PODIUM_URL=http://127.0.0.1:7860 PODIUM_TOKEN=pdm_...
curl -s -o inputs.jsonl $PODIUM_URL/api/benchmarks/fin-sentiment/inputs     # public inputs, never gold
# ... run your model: one prediction per id ...
podium submit fin-sentiment predictions.csv --model my-org/my-model --revision v1 --wait
#   exit 0 scored (prints score, 95% CI, rank), 1 scoring failed, 2 bad file, 3 server or network
podium status <submission id>
podium leaderboard fin-sentiment --json
```

The REST API (OpenAPI at [/docs](/docs)):

```bash
curl -s -X POST $PODIUM_URL/api/submissions -H "Authorization: Bearer $PODIUM_TOKEN" \\
  -F benchmark=fin-sentiment -F model_name=my-org/my-model -F revision=v1 -F predictions=@predictions.csv
curl -s $PODIUM_URL/api/submissions/<submission id>
curl -s $PODIUM_URL/api/leaderboard/fin-sentiment
```

From Python:

```python
from podium.client import Client
client = Client()  # PODIUM_URL and PODIUM_TOKEN
submission = client.submit_predictions("fin-sentiment", "my-org/my-model", "predictions.csv", revision="v1")
print(client.wait(submission["id"])["result"]["metrics"])
```

Predictions are CSV (`id,prediction`) or JSONL (`{"id": ..., "prediction": ...}`); NER
predictions are IOB2 tag lists. A file with problems is refused with the rows and what is wrong.
"""


def task_table() -> str:
    """The task types as the registry has them (a new task module shows up here by itself)."""
    from podium.tasks import task_types

    lines = ["| task type | `--task` / `task_type` | primary metric | also |", "|---|---|---|---|"]
    for task in task_types().values():
        others = ", ".join(task.metrics[1:]) or "—"
        lines.append(f"| {task.title} | `{task.name}` | {task.metrics[0]} | {others} |")
    return "\n".join(lines)


def build_about_tab() -> None:
    gr.Markdown(ABOUT.replace("{tasks}", task_table()), elem_id="about")
