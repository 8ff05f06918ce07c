#!/usr/bin/env bash
# schemathesis (PyPI) in a virtual environment of its own, cached outside the repo: the REST
# fuzzer that test/security/rest-fuzz.int.test.ts runs against the real server. Idempotent.
set -euo pipefail
readonly CACHE_DIR="${CONFER_CACHE_DIR:-$HOME/.cache/confer}"
readonly VERSION="4.32.5"
readonly VENV="$CACHE_DIR/schemathesis-$VERSION"
if [[ -x "$VENV/bin/st" ]]; then exit 0; fi
printf '[services/install] schemathesis %s: installing from PyPI\n' "$VERSION" >&2
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >&2
fi
# A venv records its own path, so it is built where it lives; a failed install leaves no `st`.
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION" >&2 || { rm -rf "$VENV"; exit 1; }
