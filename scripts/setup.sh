#!/usr/bin/env bash
# Installs whatever Confer needs, idempotently, then returns: called by `npm start`, `npm test`
# and `npm run bench` before they run. Each step is skipped quickly when already done.
#   scripts/setup.sh start|test|bench
set -euo pipefail
mode="${1:-start}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CONFER_CACHE_DIR="${CONFER_CACHE_DIR:-$HOME/.cache/confer}"
# node-gyp builds native addons (better-sqlite3) against the installed Node headers: no download.
[ -f /usr/include/node/node.h ] && export npm_config_nodedir=/usr
log() { printf '[setup] %s\n' "$*" >&2; }

# 1. System packages (Debian). apt-get update runs only when something is missing.
need_pkgs=()
# fonts-noto-color-emoji: reactions (👍 ❤️ …) are drawn, not boxes, in the browser tests' screenshots.
# iproute2: `ss`, whose TCP counters tell how many writes a broadcast took (coalesced-writes test).
if [ "$mode" = test ] || [ "$mode" = bench ]; then need_pkgs+=(chromium ffmpeg fonts-noto-color-emoji iproute2); fi
missing=()
for p in ${need_pkgs[@]+"${need_pkgs[@]}"}; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# 2. The mediasoup worker, built from source against Debian's libraries and cached.
if [ -x scripts/mediasoup/build-worker.sh ]; then
  MEDIASOUP_WORKER_BIN="$(bash scripts/mediasoup/build-worker.sh | tail -n 1)"
  export MEDIASOUP_WORKER_BIN
fi

# 3. npm packages, reinstalled only when package.json or the lock file changed.
stamp=node_modules/.confer-install-stamp
want="$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund >&2
  echo "$want" >"$stamp"
fi

# The package spawns node_modules/mediasoup/worker/out/Release/mediasoup-worker by default: point
# it at our build, so that every process (server, tests, benchmarks) finds it without settings.
if [ -n "${MEDIASOUP_WORKER_BIN:-}" ] && [ -d node_modules/mediasoup ]; then
  mkdir -p node_modules/mediasoup/worker/out/Release
  ln -sfn "$MEDIASOUP_WORKER_BIN" node_modules/mediasoup/worker/out/Release/mediasoup-worker
fi

# 4. Servers the tests and benchmarks start themselves (PostgreSQL, Kafka, S3Proxy).
if { [ "$mode" = test ] || [ "$mode" = bench ]; } && [ -f scripts/services/install.sh ]; then
  bash scripts/services/install.sh
  bash scripts/services/schemathesis/install.sh
fi

# 5. The web client, rebuilt only when its sources changed.
if [ -f web/vite.config.ts ]; then
  web_want="$(find web -path web/dist -prune -o -type f -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)"
  if [ ! -f web/dist/.stamp ] || [ "$(cat web/dist/.stamp)" != "$web_want" ]; then
    log "building the web client"
    npx vite build --config web/vite.config.ts --logLevel warn >&2
    echo "$web_want" >web/dist/.stamp
  fi
fi
log "ready ($mode)"
