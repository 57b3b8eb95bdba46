"""Check refgraph's notebook output in a real JupyterLab, driven by Chromium through Playwright.

This is a manual check, not part of the test suite: it needs JupyterLab
(``pip install jupyterlab``), which the test extra does not install, and
starting JupyterLab and a kernel takes tens of seconds. The test suite checks
the same output in Chromium without JupyterLab (tests/test_browser.py).

    python scripts/check_jupyterlab.py [--screenshots DIR] [--chromium PATH]

It starts JupyterLab on 127.0.0.1 with a random token, with its news feed,
update check and PyPI extension manager turned off, in a temporary folder with
its own Jupyter and IPython settings. The browser may load only pages of that
server. Three notebooks are checked:

- trusted.ipynb, signed with ``jupyter trust``: the saved output shows the
  page in a sandboxed iframe whose scripts run, and hides the static summary;
- untrusted.ipynb, the same output unsigned: JupyterLab strips the iframe
  and the <style> element, so the static summary shows, as text;
- live.ipynb: a cell run in a kernel displays a fresh graph in the iframe.

Every graph has a repr that would open a dialog if it ran as markup. The
script exits with 0 when every check passes and 1 otherwise, and saves a
screenshot of each notebook.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Seconds to wait for JupyterLab to respond, and milliseconds to wait for a cell's output to appear.
SERVER_TIMEOUT = 60
OUTPUT_TIMEOUT_MS = 90_000

#: Time for JupyterLab to ask which kernel to start, if it asks, in milliseconds.
KERNEL_DIALOG_TIMEOUT_MS = 10_000

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

#: Code of the notebook cell: a graph whose target's repr is hostile markup.
CELL_SOURCE = '''import refgraph


class Payload:
    def __repr__(self):
        return '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'


HOLDERS = {"payload": Payload()}
refgraph.graph(HOLDERS["payload"], max_nodes=10)
'''

#: Text of the payload as the static summary shows it.
PAYLOAD_TEXT = '<img src=x onerror="alert(1)">'


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def saved_output() -> dict:
    """Return a notebook output holding a graph like the cell's, rendered in this process."""
    namespace: dict = {}
    exec(compile(CELL_SOURCE.rsplit("\n", 2)[0], "<cell>", "exec"), namespace)
    import refgraph

    result = refgraph.graph(namespace["HOLDERS"]["payload"], max_nodes=10)
    return {
        "output_type": "execute_result",
        "execution_count": 1,
        "metadata": {},
        "data": {"text/html": result._repr_html_(), "text/plain": repr(result)},
    }


def write_notebook(path: Path, outputs: list[dict]) -> None:
    """Write a notebook of one cell with `outputs`.

    Jupyter trusts a notebook by a signature of its content, so the cell id
    is the file's name: two notebooks with equal content would share trust.
    """
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 1 if outputs else None,
                "id": path.stem,
                "metadata": {},
                "outputs": outputs,
                "source": CELL_SOURCE,
            }
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


def isolated_environment(folder: Path) -> dict[str, str]:
    """Return an environment whose Jupyter and IPython settings live in `folder`, with this checkout importable."""
    env = dict(os.environ)
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        env[name] = str(folder / sub)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("BROWSER", None)
    return env


def start_jupyterlab(notebooks: Path, env: dict[str, str], port: int, token: str, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and CI machines often run as root, which JupyterLab refuses without this flag.
        command.append("--allow-root")
    with log.open("w") as handle:
        return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)


def wait_for_server(base: str, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"JupyterLab exited with code {server.returncode}; its log:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise SystemExit(f"JupyterLab did not respond at {base} within {SERVER_TIMEOUT} s; its log:\n{log.read_text()}")


class Checks:
    """Collects the result of every check and prints each one as it is made."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def expect(self, condition: bool, description: str) -> None:
        print(f"{'ok  ' if condition else 'FAIL'} {description}")
        if not condition:
            self.failures.append(description)


def notebook_url(base: str, token: str, workspace: str, name: str) -> str:
    return f"{base}/lab/workspaces/{workspace}/tree/{name}?token={token}"


def open_notebook(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=OUTPUT_TIMEOUT_MS)


def accept_kernel_dialog(page) -> None:
    """Accept the kernel JupyterLab proposes, when it asks instead of starting one."""
    button = page.locator(".jp-Dialog button", has_text="Select")
    try:
        button.wait_for(timeout=KERNEL_DIALOG_TIMEOUT_MS)
    except Exception:
        return
    button.click()


def output_frame(page):
    """Return the frame of the refgraph output in the notebook on screen, once its scripts have run."""
    selector = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output iframe[sandbox="allow-scripts"]'
    element = page.wait_for_selector(selector, timeout=OUTPUT_TIMEOUT_MS)
    frame = element.content_frame()
    frame.wait_for_selector("#selected-details li", timeout=OUTPUT_TIMEOUT_MS)
    return frame


def check_notebooks(base: str, token: str, chromium: Path, screenshots: Path, checks: Checks) -> None:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []

    def only_this_server(route) -> None:
        if route.request.url.startswith(base + "/") or route.request.url.startswith(("about:", "data:", "blob:")):
            route.continue_()
            return
        problems.append(f"request to another host: {route.request.url}")
        route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.route("**/*", only_this_server)
        def new_page():
            page = context.new_page()
            page.on("dialog", lambda dialog: (problems.append(f"dialog {dialog.message}"), dialog.dismiss()))
            return page

        page = new_page()
        try:
            open_notebook(page, notebook_url(base, token, "saved", "trusted.ipynb"))
            frame = output_frame(page)
            checks.expect(PAYLOAD_TEXT in frame.locator("#details").text_content(),
                          "trusted: the page's scripts ran in the frame and show the payload as text")
            checks.expect(page.locator(".refgraph-static:visible").count() == 0, "trusted: the static summary is hidden")
            page.screenshot(path=str(screenshots / "jupyterlab-trusted.png"))

            # Opened from JupyterLab's file browser, the untrusted notebook
            # shares the page with the trusted one, whose output's <style>
            # element applies to the whole page.
            page.locator(".jp-DirListing-itemText", has_text="untrusted.ipynb").dblclick()
            page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=OUTPUT_TIMEOUT_MS)
            checks.expect(page.locator(".jp-NotebookPanel").count() == 2,
                          "untrusted: the trusted notebook is open in another tab of the same page")
            visible = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"
            static = page.wait_for_selector(f"{visible} .refgraph-static", timeout=OUTPUT_TIMEOUT_MS)
            checks.expect(static.is_visible(), "untrusted, next to a trusted output: the static summary shows")
            checks.expect(page.locator(f"{visible} iframe").count() == 0, "untrusted: the iframe was stripped")
            checks.expect(PAYLOAD_TEXT in static.text_content(), "untrusted: the payload shows as text")
            checks.expect(page.locator(f"{visible} img").count() == 0, "untrusted: no <img> was created")
            page.screenshot(path=str(screenshots / "jupyterlab-untrusted.png"))

            # A new browser tab, because JupyterLab rewrites a tab's URL as it
            # loads, which can abort a navigation in that tab.
            page = new_page()
            open_notebook(page, notebook_url(base, token, "live", "live.ipynb"))
            accept_kernel_dialog(page)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=OUTPUT_TIMEOUT_MS)
            page.click(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell .jp-InputArea-editor")
            page.keyboard.press("Shift+Enter")
            frame = output_frame(page)
            checks.expect("Payload" in frame.locator("#details").text_content(),
                          "live: a cell run in the kernel displays the page in the frame")
            page.screenshot(path=str(screenshots / "jupyterlab-live.png"))
        except Exception:
            page.screenshot(path=str(screenshots / "jupyterlab-failure.png"))
            print(f"a step failed; the page at that moment is in {screenshots / 'jupyterlab-failure.png'}")
            raise
        finally:
            context.close()
            browser.close()

    checks.expect(problems == [], f"no dialog and no request to another host ({problems or 'none'})")


def main() -> int:
    parser = argparse.ArgumentParser(description="Check refgraph's notebook output in a real JupyterLab.")
    parser.add_argument("--screenshots", type=Path, default=Path(tempfile.gettempdir()) / "refgraph-jupyterlab",
                        help="folder for the screenshots (default: refgraph-jupyterlab in the temporary folder)")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"),
                        help="path of the Chromium executable (default: /usr/bin/chromium)")
    arguments = parser.parse_args()
    arguments.screenshots.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="refgraph-jupyterlab-") as name:
        folder = Path(name)
        notebooks = folder / "notebooks"
        notebooks.mkdir()
        env = isolated_environment(folder)

        output = saved_output()
        write_notebook(notebooks / "trusted.ipynb", [output])
        write_notebook(notebooks / "untrusted.ipynb", [output])
        write_notebook(notebooks / "live.ipynb", [])
        subprocess.run([sys.executable, "-m", "jupyter", "trust", str(notebooks / "trusted.ipynb")],
                       env=env, check=True, capture_output=True)

        port, token = free_port(), secrets.token_hex(16)
        base = f"http://127.0.0.1:{port}"
        log = folder / "jupyterlab.log"
        server = start_jupyterlab(notebooks, env, port, token, log)
        checks = Checks()
        try:
            wait_for_server(base, token, server, log)
            check_notebooks(base, token, arguments.chromium, arguments.screenshots, checks)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    print(f"screenshots: {arguments.screenshots}")
    if checks.failures:
        print(f"{len(checks.failures)} checks failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
