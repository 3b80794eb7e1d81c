import contextlib
import io
import logging
import os
import shutil
import subprocess
import sys
import threading
import traceback
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PODIUM = str(Path(sys.executable).with_name("podium"))

# Files whose tests start a real `podium serve`, a browser, or fresh `podium` and Python processes
# they kill, race or need clean; tests elsewhere are marked where they stand (`pytestmark` or
# `@pytest.mark.heavy`). `pytest -m "not heavy"` leaves all of them out.
HEAVY_FILES = {
    "test_api.py",
    "test_api_docs.py",
    "test_api_fuzz.py",
    "test_frontend_app.py",
    "test_reliability.py",
    "test_scoring_speed.py",
    "test_web.py",
}
HEAVY_TESTS = {  # single tests of files that are otherwise light
    "test_evaluate_offline.py::test_evaluate_load_by_path_never_touches_the_network",
    "test_evaluate_offline.py::test_scoring_a_sample_never_touches_the_network",
    "test_queue_policies.py::test_a_lock_held_by_a_killed_process_blocks_no_one",
    "test_queue_policies.py::test_podium_queue_over_http_filters_on_the_server_and_prints_what_it_prints_locally",
    "test_samples.py::test_regenerating_in_a_fresh_process_writes_the_committed_files",
    "test_samples.py::test_sample_data_is_found_in_an_installed_package",
    "test_schema.py::test_reading_the_schema_does_not_import_the_task_modules",
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "heavy: starts real servers, browsers or `podium` processes, or reads large inputs "
        '(`pytest -m "not heavy"` is the fast subset)',
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = item.path.name
        if name in HEAVY_FILES or f"{name}::{getattr(item, 'originalname', item.name)}" in HEAVY_TESTS:
            item.add_marker(pytest.mark.heavy)


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


# The long-running commands install signal handlers and never return: only as a process.
NOT_IN_PROCESS = {"serve", "backend"}
_in_process = threading.Lock()


def run_podium(
    *args: str, home: Path | None = None, env: dict | None = None, check: bool = False
) -> subprocess.CompletedProcess:
    """Run the `podium` command in this process: ``podium.cli.main`` with stdout and stderr captured,
    ``env`` added to the environment for the call, and the root logger as a fresh interpreter has it
    (no handlers), so what the command logs lands in ``stderr`` as it would from the console script.
    Returns what ``subprocess.run`` returns; an uncaught exception is a traceback on stderr and exit 1.
    Calls are serialised (the streams and the environment are process-wide)."""
    argv = (["--home", str(home)] if home is not None else []) + list(args)
    command = next((a for a in args if not a.startswith("-")), None)
    returns = bool({"--help", "-h"} & set(args)) or (command == "backend" and "--once" in args)
    if command in NOT_IN_PROCESS and not returns:
        raise ValueError(f"`podium {command}` runs until stopped: use run_podium_process or start_podium_serve")
    with _in_process:
        proc = _run_in_process(argv, env or {})
    return _checked(proc, args, check)


def run_podium_process(
    *args: str, home: Path | None = None, env: dict | None = None, check: bool = False
) -> subprocess.CompletedProcess:
    """Run the real `podium` console script in a subprocess (a fresh interpreter, its real exit code)."""
    argv = (["--home", str(home)] if home is not None else []) + list(args)
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([PODIUM, *argv], capture_output=True, text=True, env=full_env, timeout=300)
    return _checked(proc, args, check)


def _checked(proc: subprocess.CompletedProcess, args: tuple, check: bool) -> subprocess.CompletedProcess:
    if check and proc.returncode != 0:
        raise AssertionError(f"podium {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def _run_in_process(argv: list[str], env: dict) -> subprocess.CompletedProcess:
    from podium.cli import main

    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    with _environment(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        root.handlers = []
        try:
            code = main(argv)
            code = code if isinstance(code, int) else 1  # as the console script's os._exit
        except SystemExit as exc:  # argparse: usage errors, --help, --version
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if not isinstance(exc.code, int | None):
                print(exc.code, file=sys.stderr)
        except Exception:  # noqa: BLE001  (the console script would print the traceback and exit 1)
            traceback.print_exc()
            code = 1
        finally:
            root.handlers = saved_handlers
            root.setLevel(saved_level)
    return subprocess.CompletedProcess(["podium", *argv], code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _environment(env: dict):
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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
        [PODIUM, "--home", str(home), "serve", "--port", str(port), *extra],
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


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


def require_chromium() -> None:
    """Skip the calling module without Debian's Chromium (fail under CI, where test.sh installs it)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError("Chromium is missing: scripts/test.sh installs Debian's chromium package")
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
