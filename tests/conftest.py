import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _hf_home(tmp_path_factory):
    """Every test run gets its own Hugging Face cache; nothing is read from a user's cache."""
    home = tmp_path_factory.mktemp("hf-home")
    os.environ["HF_HOME"] = str(home)
    yield home


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory) -> Path:
    """A data home holding a copy of the bundled sample data (read-only for tests)."""
    return copy_sample_home(tmp_path_factory.mktemp("sample-home"))


@pytest.fixture()
def home(tmp_path, sample_home) -> Path:
    """A fresh, writable copy of the sample home for one test."""
    target = tmp_path / "home"
    shutil.copytree(sample_home, target)
    return target


def run_podium(*args: str, home: Path | None = None, env: dict | None = None, check: bool = False):
    """Run the real `podium` console script in a subprocess."""
    command = [str(Path(sys.executable).with_name("podium"))]
    if home is not None:
        command += ["--home", str(home)]
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(command + list(args), capture_output=True, text=True, env=full_env, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"podium {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def start_podium_serve(home: Path, env: dict | None = None, *extra: str, answer_within: float = 180.0):
    """A real `podium serve` on a free loopback port; returns (process, url, seconds until it answered)."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(home / "serve.log", "w")
    started = time.monotonic()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("podium")), "--home", str(home), "serve", "--port", str(port), *extra],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)
            return process, url, time.monotonic() - started
        except OSError:
            if time.monotonic() - started > answer_within or process.poll() is not None:
                process.kill()
                message = (
                    f"podium serve did not answer within {answer_within:g} s:\n" + (home / "serve.log").read_text()
                )
                raise AssertionError(message) from None
            time.sleep(0.2)


def copy_sample_home(root: Path) -> Path:
    home = root / "home"
    home.mkdir()
    for name in ("samples", "benchmarks", "private", "eval-queue", "eval-results"):
        shutil.copytree(REPO / name, home / name)
    return home
