#!/usr/bin/env bash
# Install refgraph with its test dependencies into .venv and run the whole test suite.
#
# The browser tests drive Debian's Chromium through Playwright. When
# /usr/bin/chromium is missing, this script installs it with apt-get (as root,
# or through sudo). Extra arguments go to pytest, for example:
#   bash scripts/test.sh -k walk -x
set -euo pipefail

cd "$(dirname "$0")/.."
python=${PYTHON:-python3}

if [ ! -x /usr/bin/chromium ]; then
    echo "scripts/test.sh: installing Debian's chromium for the browser tests" >&2
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        sudo apt-get update -qq
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
fi

if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

# Browser tests fail instead of skipping when this is set, so a missing browser cannot pass unnoticed.
export REFGRAPH_REQUIRE_BROWSER=1
exec .venv/bin/python -m pytest "$@"
