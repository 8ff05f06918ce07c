#!/usr/bin/env bash
# Differential check of patch_send_time_window.py: builds libwebrtc's SendTimeHistory twice from
# the mediasoup package's worker sources, once as upstream has it (std::map) and once patched
# (the window), drives both through the same pseudo-random trace (test/send_time_history_trace.cpp)
# for a few seeds, and fails unless every answer is identical.
#
#   scripts/mediasoup/check-send-time-window.sh [WORKER_SOURCE_DIR]   # default: node_modules/mediasoup/worker
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
worker="${1:-$here/../../node_modules/mediasoup/worker}"
[ -d "$worker/deps/libwebrtc" ] || { echo "check-send-time-window: no worker sources in $worker" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

build() { # $1: a copy of the sources to build the trace from; $2: the binary
  local lib="$1/deps/libwebrtc/libwebrtc"
  g++ -std=c++17 -O1 -DMS_LITTLE_ENDIAN -I"$lib" -I"$1/deps/libwebrtc" -I"$1/include" \
    "$here/test/send_time_history_trace.cpp" "$here/test/worker_log_stubs.cpp" \
    "$lib/modules/congestion_controller/rtp/send_time_history.cc" \
    "$lib/modules/rtp_rtcp/include/rtp_rtcp_defines.cc" "$lib/api/transport/network_types.cc" -o "$2"
}
for variant in upstream window; do
  mkdir -p "$work/$variant"
  cp -r "$worker/deps" "$worker/include" "$work/$variant/"
  chmod -R u+w "$work/$variant"
done
(cd "$here" && python3 -c "import pathlib, sys, patch_send_time_window as p; p.patch(pathlib.Path(sys.argv[1]))" "$work/window")
build "$work/upstream" "$work/trace-upstream" &
build "$work/window" "$work/trace-window"
wait $!
for seed in 1 2 3; do
  "$work/trace-upstream" 300000 "$seed" > "$work/upstream.$seed"
  "$work/trace-window" 300000 "$seed" > "$work/window.$seed"
  if ! cmp -s "$work/upstream.$seed" "$work/window.$seed"; then
    echo "check-send-time-window: seed $seed: the window answers differently from std::map:" >&2
    diff "$work/upstream.$seed" "$work/window.$seed" | head -20 >&2
    exit 1
  fi
  echo "seed $seed: $(wc -l < "$work/upstream.$seed") answers, identical"
done
