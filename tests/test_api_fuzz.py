"""Property-based fuzzing of the whole OpenAPI with schemathesis: no 500, no response off its schema."""

import subprocess
import sys
from pathlib import Path

import pytest
from test_api import start_api

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    server = start_api(tmp_path_factory.mktemp("fuzz"), {"PODIUM_RATE_LIMIT_PER_MINUTE": "100000"})
    yield server
    server["process"].terminate()
    server["process"].wait(timeout=30)


@pytest.mark.parametrize("role", ["boss", "alice", None], ids=["admin", "submitter", "anonymous"])
def test_no_server_errors_and_every_response_matches_the_schema(fuzz_server, role, tmp_path):
    headers = ["-H", f"Authorization: Bearer {fuzz_server['tokens'][role]}"] if role else []
    proc = subprocess.run(
        [str(SCHEMATHESIS), "run", fuzz_server["url"] + "/openapi.json", "--include-path-regex", "^/api/",
         "--checks", "not_a_server_error,response_schema_conformance", "--max-examples", "25",
         "--generation-deterministic", *headers],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,  # its cache stays out of the repository
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert " passed" in proc.stdout
