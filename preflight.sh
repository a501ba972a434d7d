#!/usr/bin/env bash
# Will oci-inv work here? Runs `oci-inv preflight` with the arguments given (see `oci-inv preflight --help`),
# creating the virtual environment first when there is none (.venv next to this script, or $VENV).
#   ./preflight.sh                      # every check, with a live sign-in
#   ./preflight.sh --profile PROD --parquet
#   ./preflight.sh --no-auth-check      # local checks only
# Exit codes: 0 ready, 2 a local check failed, 3 sign-in refused, 5 OCI unreachable.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"  # no cd: a relative --outdir and ./.local/genai.yaml are the caller's
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-$HERE/.venv}"

if [ ! -x "$VENV/bin/oci-inv" ]; then
  if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "FAIL  python            $PYTHON not found  -> install Python 3.11 or newer (or set PYTHON=/path/to/python3)"
    exit 2
  fi
  if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
    version="$("$PYTHON" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo unknown)"
    echo "FAIL  python            Python $version ($PYTHON)  -> install Python 3.11 or newer (or set PYTHON=/path/to/python3)"
    exit 2
  fi
  echo "preflight.sh: creating $VENV and installing oci-inv into it (once)" >&2
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >&2
  "$VENV/bin/python" -m pip install -q -e "$HERE" >&2
fi
exec "$VENV/bin/oci-inv" preflight "$@"
