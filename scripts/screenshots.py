"""Screenshots of every tab for the README: `.venv/bin/python scripts/screenshots.py` (needs Debian's
chromium).

Starts `podium serve` on a temporary copy of the bundled sample data and writes docs/images/<tab>.png
(1440 px wide) and docs/images/<tab>-phone.png (390 px), each view opened by its address.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "images"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


# (file name, the address that opens the view, what shows it is ready)
VIEWS = [
    ("leaderboard", "?benchmark=fin-sentiment", "#leaderboard-table [role=gridcell]"),
    ("models", "?tab=models&model=northwind%2Ffinbert-tone-large", "#breakdown-classes [role=gridcell]"),
    ("submit", "?tab=submit", "#submit-info"),
    ("compare", "?tab=compare", "#compare-benchmark"),
    ("queue", "?tab=queue", "#queue-table [role=gridcell]"),
    ("about", "?tab=about", "#about"),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        for name in ("samples", "benchmarks", "private", "eval-queue", "eval-results"):
            shutil.copytree(REPO / name, home / name)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        podium = str(Path(sys.executable).with_name("podium"))
        server = subprocess.Popen([podium, "--home", str(home), "serve", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        url = f"http://127.0.0.1:{port}/"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(url, timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
                for width, suffix in ((1440, ""), (390, "-phone")):
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    for tab, address, ready in VIEWS:  # each view opened by its address (on a phone some
                        page.goto(url + address)  # tabs sit behind Gradio's "..." menu)
                        page.wait_for_selector(ready)
                        if tab == "compare":
                            page.wait_for_function(
                                "document.querySelector('#compare-models').innerText.includes('finbert-tone-large')"
                            )
                            page.locator("#compare-button").click()
                            page.wait_for_selector("#compare-table [role=gridcell]")
                        page.wait_for_timeout(1000)
                        page.screenshot(path=str(OUT / f"{tab}{suffix}.png"), full_page=True)
                    page.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"wrote {', '.join(sorted(p.name for p in OUT.glob('*.png')))} to {OUT}")


if __name__ == "__main__":
    main()
