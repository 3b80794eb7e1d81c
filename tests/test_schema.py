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
