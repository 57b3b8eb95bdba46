"""Regenerate the screenshots of the demo report: docs/images/demo-canvas.png and docs/images/demo-svg.png.

Run from the repository root, with refgraph, dask.distributed and playwright
installed (``pip install -e '.[test]'``):

    python scripts/screenshots.py

It reproduces the leak of ``refgraph demo`` in this process, renders the
report with each renderer, loads each page in Chromium with every network
request aborted, and saves one screenshot per renderer. Chromium is taken
from /usr/bin/chromium, or from --chromium. Reprs, addresses and the host name
in the screenshots come from the machine that runs the script.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refgraph.examples import dask_worker_leak  # noqa: E402

#: Size of the browser window, in CSS pixels: wide enough for the graph and the
#: details panel side by side, and tall enough to show the chains and the graph.
VIEWPORT = {"width": 1400, "height": 1100}

#: Chromium flags: no background traffic, no sandbox (which needs privileges
#: that containers often lack) and no GPU.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

#: Maximum time for the canvas layout to stabilise, in milliseconds.
LAYOUT_TIMEOUT_MS = 60_000


def render_reports(folder: Path) -> dict[str, Path]:
    """Reproduce the demo leak and write its report with each renderer; return the page of each."""
    address = dask_worker_leak.reproduce_leak()
    pages = {}
    for renderer, max_nodes in dask_worker_leak.REPORT_MAX_NODES.items():
        findings = dask_worker_leak.explain_leak(address, max_nodes=max_nodes)
        if findings is None:
            raise SystemExit(
                f"screenshots.py: gc.collect() freed the WorkerState of retired worker {address}, "
                "so this distributed version does not have the leak the demo shows"
            )
        _, report = findings
        pages[renderer] = folder / f"demo-{renderer}.html"
        report.to_html(str(pages[renderer]), renderer=renderer)
    return pages


def only_the_page(url: str):
    """Return a route handler that lets the request for `url` through and aborts every other one."""

    def handle(route) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    return handle


def take_screenshots(pages: dict[str, Path], output: Path, chromium: Path) -> None:
    """Load each page offline in Chromium and save a screenshot of its first screen as demo-RENDERER.png."""
    from playwright.sync_api import sync_playwright

    output.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        try:
            for renderer, page_path in pages.items():
                context = browser.new_context(viewport=VIEWPORT)
                url = page_path.as_uri()
                # The page must not need the network: anything but the page itself is refused.
                context.route("**/*", only_the_page(url))
                page = context.new_page()
                page.goto(url)
                if renderer == "canvas":
                    page.wait_for_selector('#graph[data-layout="stable"]', state="attached", timeout=LAYOUT_TIMEOUT_MS)
                destination = output / f"demo-{renderer}.png"
                page.screenshot(path=str(destination))
                print(destination)
                context.close()
        finally:
            browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description="Regenerate the screenshots of the demo report in docs/images.")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "images",
                        help="folder for demo-canvas.png and demo-svg.png (default: docs/images)")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"),
                        help="path of the Chromium executable (default: /usr/bin/chromium)")
    arguments = parser.parse_args()

    if not arguments.chromium.exists():
        print(f"screenshots.py: Chromium not found at {arguments.chromium}; install Debian's chromium "
              "package or pass --chromium PATH", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="refgraph-screenshots-") as folder:
        pages = render_reports(Path(folder))
        take_screenshots(pages, arguments.output, arguments.chromium)
    return 0


if __name__ == "__main__":
    sys.exit(main())
