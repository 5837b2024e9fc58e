#!/usr/bin/env bash
# Create .venv/ and install the locked dependency set.
#
# Rasa 3.6 declares Python < 3.11, so it cannot be installed the ordinary way
# on Python 3.11: a plain `pip install rasa` silently resolves to rasa 1.10.
# Instead every dependency is installed from requirements/lock.txt (a version
# set checked on Python 3.11), then rasa and rasa-sdk without dependency
# resolution, and the result is checked so a wrong Rasa never goes unnoticed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" - <<'PY'
import sys
if sys.version_info[:2] != (3, 11):
    sys.exit(f"Safe Harbor needs Python 3.11 (found {sys.version.split()[0]}).")
PY

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
PIP=(.venv/bin/python -m pip --disable-pip-version-check --no-input)
"${PIP[@]}" install --quiet -r requirements/lock.txt -r requirements/dev.txt
"${PIP[@]}" install --quiet --no-deps --ignore-requires-python rasa==3.6.21 rasa-sdk==3.6.2

.venv/bin/python - <<'PY'
import importlib.metadata as md, sys
want = {"rasa": "3.6.21", "rasa-sdk": "3.6.2", "python-telegram-bot": "22.8"}
got = {name: md.version(name) for name in want}
if got != want:
    sys.exit(f"Wrong versions installed: {got}, expected {want}.")
PY
echo "installed: rasa 3.6.21, rasa-sdk 3.6.2, python-telegram-bot 22.8 in .venv/"
