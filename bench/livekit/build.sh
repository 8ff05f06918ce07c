#!/usr/bin/env bash
# Builds (once, then cached) LiveKit's server and the pion tester beside it, for the forwarding
# baseline of `npm run bench -- --only=livekit` (bench/livekit-forwarding.ts).
#
#   bench/livekit/build.sh      # last line of stdout: the directory holding both binaries
#
# LiveKit's source comes from the Go module proxy (a package registry like npm's). Its go.mod
# points pion's webrtc, dtls and ice at LiveKit's own forks ("warp" versions), which the proxy
# does not serve: the server is built against upstream pion instead, without the two settings
# only the forks have (SPED and SCTP snap, both off unless a client asks for "warp"). Media
# forwarding, SRTP and congestion control are upstream pion's either way.
#
# Needs Go (1.26 on this machine kind). Exit 3 when it is missing, so the bench can say so.
# Cache: $CONFER_CACHE_DIR (default ~/.cache/confer)/livekit-<version>-<hash of this script and
# the tester's sources>/. Progress goes to stderr; stdout carries only the final path.
set -euo pipefail
{
LIVEKIT_VERSION=1.13.11
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
hash="$(cat "$here/build.sh" "$here/tester/go.mod" "$here/tester/go.sum" "$here/tester/main.go" | sha256sum | cut -c1-12)"
cache="${CONFER_CACHE_DIR:-$HOME/.cache/confer}/livekit-$LIVEKIT_VERSION-$hash"
if [ -x "$cache/livekit-server" ] && [ -x "$cache/livekit-tester" ]; then echo "$cache"; exit 0; fi
command -v go >/dev/null || { echo "bench/livekit/build.sh: Go is not installed; the LiveKit baseline needs it" >&2; exit 3; }

echo "[livekit] building livekit-server $LIVEKIT_VERSION and the tester (a few minutes, once)" >&2
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
src="$(go mod download -json "github.com/livekit/livekit-server@v$LIVEKIT_VERSION" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).Dir))')"
cp -r "$src/." "$work/server"
chmod -R u+w "$work/server"
sed -i '/^replace github.com\/pion\//d' "$work/server/go.mod"
transport="$work/server/pkg/rtc/transport.go"
for setting in EnableSped EnableSctpSnap; do
  grep -q "^		se.$setting(true)" "$transport" || { echo "[livekit] $transport has no se.$setting: the patch needs a look" >&2; exit 1; }
  sed -i "s/^		se.$setting(true)/		\/\/ se.$setting(true) (LiveKit's pion fork only)/" "$transport"
done
mkdir -p "$work/out"
(cd "$work/server" && go mod tidy >&2 && CGO_ENABLED=0 go build -o "$work/out/livekit-server" ./cmd/server >&2)
(cd "$here/tester" && CGO_ENABLED=0 go build -o "$work/out/livekit-tester" . >&2)
mkdir -p "$(dirname "$cache")"
rm -rf "$cache.tmp" && mv "$work/out" "$cache.tmp" && mv "$cache.tmp" "$cache"
echo "[livekit] built into $cache" >&2
echo "$cache"
exit 0
}
