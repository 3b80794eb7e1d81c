"""Screenshots of every tab for the README: `python scripts/screenshots.py` (needs Debian's chromium).

Starts `podium serve` on a temporary copy of the bundled sample data and writes docs/images/*.png.
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
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url)
                page.wait_for_selector("#leaderboard-table [role=gridcell]")
                field = page.locator("#benchmark-picker input").first
                field.click()
                field.fill("Financial News")
                page.locator("[role=option]", has_text="Financial News Sentiment").first.click()
                page.wait_for_timeout(1500)
                page.screenshot(path=str(OUT / "leaderboard.png"), full_page=True)
                for tab, ready in (("Models", "#model-picker"), ("Submit", "#submit-info"),
                                   ("Compare", "#compare-benchmark"), ("Queue", "#queue-table [role=gridcell]"),
                                   ("About", "#about")):  # fmt: skip
                    page.get_by_role("tab", name=tab).click()
                    page.wait_for_selector(ready)
                    if tab == "Models":
                        field = page.locator("#model-picker input").first
                        field.click()
                        field.fill("northwind/finbert")
                        page.locator("[role=option]", has_text="northwind/finbert-tone-large").first.click()
                        page.wait_for_selector("#model-results [role=gridcell]")
                        page.wait_for_selector("#breakdown-classes [role=gridcell]")
                    if tab == "Compare":
                        field = page.locator("#compare-benchmark input").first
                        field.click()
                        field.fill("Financial News")
                        page.locator("[role=option]", has_text="Financial News Sentiment").first.click()
                        page.wait_for_function(
                            "document.querySelector('#compare-models').innerText.includes('finbert-tone-large')"
                        )
                        page.locator("#compare-button").click()
                        page.wait_for_selector("#compare-table [role=gridcell]")
                    page.wait_for_timeout(800)
                    page.screenshot(path=str(OUT / f"{tab.lower()}.png"), full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"wrote {', '.join(sorted(p.name for p in OUT.glob('*.png')))} to {OUT}")


if __name__ == "__main__":
    main()
