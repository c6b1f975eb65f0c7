#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install dtsim into it (editable, with test tools).
# Set PYTHON=/path/to/python3.12 to choose the interpreter yourself.
set -euo pipefail
cd "$(dirname "$0")/.."
ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }
found=""
for candidate in ${PYTHON:-} python3.13 python3.12 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && ok "$candidate"; then found=$candidate; break; fi
done
if [ -z "$found" ] && command -v pyenv >/dev/null 2>&1; then  # pyenv keeps 3.12 without making it global
  for v in $(pyenv versions --bare | grep -E '^3\.(1[2-9])' | sort -rV); do
    if PYENV_VERSION=$v python3 -c '' 2>/dev/null && PYENV_VERSION=$v ok python3; then
      found="env PYENV_VERSION=$v python3"; break
    fi
  done
fi
if [ -z "$found" ]; then
  echo "dtsim needs Python >= 3.12 (Mesa 3.5 requires it). Install one (e.g. 'pyenv install 3.12'," >&2
  echo "or your system's python3.12 package) and re-run, or set PYTHON=/path/to/python3.12." >&2
  exit 1
fi
echo "using $($found -c 'import sys; print(sys.executable, sys.version.split()[0])')"
$found -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev,workshop,calibration,explore]'  # workshop: the browser app and its test; calibration: pyabc, powerlaw; explore: SALib, ema_workbench, dask
