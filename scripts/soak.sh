#!/usr/bin/env bash
# Soak test (a few minutes, not part of the default suite): every at-least-once network
# connector against its real peer while the peer is killed and restarted every few seconds;
# prints, per connector, sent = received + dead-lettered + counted drops. Exit 1 on a mismatch.
#   scripts/soak.sh [--seconds 40] [--only http-sink|websocket-sink|forwarder|http-source]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python3 ]; then
  python3 -m venv .venv
fi
.venv/bin/python3 -c "import websockets" 2>/dev/null \
  || .venv/bin/pip install -q --disable-pip-version-check websockets
cargo build --quiet
exec .venv/bin/python3 scripts/soak.py --bin target/debug/eventflux "$@"
