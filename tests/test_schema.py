"""The file formats: versioned, tolerant of unknown fields, clear about bad ones."""

import json

import pytest

from podium.schema import BenchmarkCard, FormatError, ModelInfo, Outcomes, Result, SubmissionRequest


def _result(**extra):
    return Result(
        benchmark="b",
        model=ModelInfo(name="m"),
        primary_metric="accuracy",
        metrics={"accuracy": 0.5},
        outcomes=Outcomes(fields=["correct"], values=[[1], [0]]),
        **extra,
    )


def test_every_document_carries_its_format_version():
    assert json.loads(_result().to_json())["format_version"] == 1
    card = BenchmarkCard(id="x", name="x", task_type="ner", primary_metric="f1")
    assert json.loads(card.to_json())["format_version"] == 1


def test_unknown_fields_are_kept_when_read_and_written_back():
    data = json.loads(_result().to_json())
    data["added_by_a_newer_writer"] = {"nested": [1, 2]}
    data["model"]["quantisation"] = "int4"
    result = Result.from_json(json.dumps(data))
    again = json.loads(result.to_json())
    assert again["added_by_a_newer_writer"] == {"nested": [1, 2]}
    assert again["model"]["quantisation"] == "int4"
    assert again["outcomes"] == {"fields": ["correct"], "values": [[1], [0]]}


def test_result_json_round_trips():
    result = _result(submission_id="s1")
    assert Result.from_json(result.to_json()) == result


def test_bad_documents_name_the_source_and_field():
    with pytest.raises(FormatError, match=r"r\.json: field 'metrics'"):
        Result.from_json('{"benchmark": "b", "model": {"name": "m"}, "primary_metric": "f1"}', source="r.json")
    with pytest.raises(FormatError, match="not valid JSON"):
        Result.from_json("{", source="r.json")
    with pytest.raises(FormatError, match="expected a JSON object"):
        SubmissionRequest.from_json("[1]", source="q.json")


def test_request_defaults():
    request = SubmissionRequest(
        id="r1", benchmark="b", model=ModelInfo(name="m"), predictions_file="p.csv", predictions_sha256="0" * 64
    )
    assert request.status == "PENDING" and request.attempts == 0 and request.lease is None


def test_task_type_names_come_from_the_task_registry():
    from podium.tasks import task_type_names

    assert BenchmarkCard.model_json_schema()["properties"]["task_type"]["enum"] == list(task_type_names())
    card = {"id": "x", "name": "x", "task_type": "poetry", "primary_metric": "f1"}
    with pytest.raises(FormatError, match="field 'task_type': Value error, unknown task type 'poetry'; use one of"):
        BenchmarkCard.from_json(json.dumps(card), source="card.json")


SEEDS_SPELLINGS = {
    "Text Classification": "text_classification",
    "classification": "text_classification",
    "NER": "ner",
    "Named Entity Recognition": "ner",
    "Document-Level Q&A (Chatbot)": "chatbot",
    "document-level qa": "chatbot",
    "Line-Level Q&A (Prompting)": "prompting",
}


def test_each_task_type_is_found_by_its_name_title_and_spellings():
    from podium.errors import InvalidField
    from podium.tasks import task_type_from, task_types

    for task in task_types().values():
        for spelling in (task.name, task.title, task.title.upper(), *task.spellings):
            assert task_type_from(spelling) == task.name
    for spelling, name in SEEDS_SPELLINGS.items():
        assert task_type_from(spelling) == name
    with pytest.raises(InvalidField, match="unknown task type 'sentiment'; use one of") as info:
        task_type_from("sentiment")
    assert info.value.field == "task_type" and all(name in str(info.value) for name in task_types())


def test_reading_the_schema_does_not_import_the_task_modules():
    import subprocess
    import sys

    code = "import sys, podium.schema; print(sorted(m for m in ('podium.tasks', 'pandas') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
