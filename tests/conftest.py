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
    home = tmp_path_factory.mktemp("sample-home")
    for name in ("samples", "benchmarks", "private", "eval-queue", "eval-results"):
        shutil.copytree(REPO / name, home / name)
    return home


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
