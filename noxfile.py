"""Run the test suite on every supported CPython version.

Usage: ``nox -s tests`` runs all versions, ``nox -s tests-3.12`` one of them.
Arguments after ``--`` go to pytest, for example ``nox -s tests-3.13 -- -k walk``.

Nox finds ``python3.X`` on PATH. Interpreters installed with pyenv are also
found under ``$PYENV_ROOT/versions`` (default ``~/.pyenv/versions``) even when
pyenv does not activate them, because pyenv's shims for inactive versions are
on PATH but exit with "command not found".
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nox

#: The CPython versions that the tests session runs on, one nox session each.
PYTHON_VERSIONS = ["3.10", "3.11", "3.12", "3.13"]

ROOT = Path(__file__).resolve().parent

#: A directory with one ``python3.X`` link per pyenv interpreter, put first on
#: PATH. Linking single executables keeps the other programs of those
#: installations (``python3``, ``pip``) off PATH.
INTERPRETER_LINKS = ROOT / ".nox" / "interpreters"

nox.options.sessions = ["tests"]
# Only local interpreters are tested. With the `pbs` extra, nox could otherwise
# download a Python build for a missing version instead of reporting it.
nox.options.download_python = "never"
# On CI a missing interpreter fails the run instead of being skipped, also when
# nox is started without --error-on-missing-interpreters (which .ci/run passes).
if os.environ.get("CI"):
    nox.options.error_on_missing_interpreters = True


def _pyenv_interpreter(version: str) -> Path | None:
    """Return the newest ``python3.X`` under pyenv's versions directory, or None."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    pattern = re.compile(rf"{re.escape(version)}\.(\d+)")
    found: list[tuple[int, Path]] = []
    for directory in (pyenv_root / "versions").glob(f"{version}.*"):
        match = pattern.fullmatch(directory.name)
        executable = directory / "bin" / f"python{version}"
        if match and executable.is_file() and os.access(executable, os.X_OK):
            found.append((int(match.group(1)), executable))
    if not found:
        return None
    return max(found)[1]


def _link_pyenv_interpreters() -> None:
    """Put a ``python3.X`` link for each pyenv interpreter first on PATH, so that nox finds it."""
    linked = False
    for version in PYTHON_VERSIONS:
        executable = _pyenv_interpreter(version)
        if executable is None:
            continue
        INTERPRETER_LINKS.mkdir(parents=True, exist_ok=True)
        link = INTERPRETER_LINKS / f"python{version}"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(executable)
        linked = True
    if linked:
        os.environ["PATH"] = os.pathsep.join([str(INTERPRETER_LINKS), os.environ.get("PATH", "")])


_link_pyenv_interpreters()


@nox.session(python=PYTHON_VERSIONS)
def tests(session: nox.Session) -> None:
    """Install refgraph with its test dependencies and run the whole suite."""
    session.install("-e", ".[test]")

    # As in scripts/test.sh, a missing Chromium fails the browser tests instead
    # of skipping them. Set REFGRAPH_REQUIRE_BROWSER=0 to let them skip.
    if "REFGRAPH_REQUIRE_BROWSER" not in os.environ:
        session.env["REFGRAPH_REQUIRE_BROWSER"] = "1"
    session.run("python", "-m", "pytest", *session.posargs)
