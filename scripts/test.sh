#!/usr/bin/env bash
# The whole test suite: installs what the tests need, then checks formatting, lints and runs
# every test (unit, integration, doc). Works on a fresh machine with the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*" >&2; }

# Debian packages, each a real peer some test drives (a missing one fails under CI=true).
APT_PACKAGES=(
  chromium            # renders the docs site (tests/docs.rs)
  lz4                 # reads the file and binary sinks' LZ4 frames (tests/storage.rs)
  clickhouse-server   # the ClickHouse sink's server (tests/clickhouse.rs)
  openssl             # makes the TLS certificates of the wss:// tests
  curl                # HTTP client of the http source tests
  prometheus          # promtool checks the /metrics text (tests/server.rs)
  ffmpeg              # camera, viewer and RTSP client of the video tests (tests/media.rs)
  srt-tools           # srt-live-transmit, an SRT caller (tests/srt.rs)
  python3-gi                      # GStreamer's RTSP server, run by /usr/bin/python3,
  gir1.2-gst-rtsp-server-1.0      # serves MJPEG, H.264, H.265 and L16 to the rtsp source
  gstreamer1.0-plugins-good       # (tests/media.rs, tests/peers/gst_rtsp.py)
  gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly
)
# Python packages, installed into a project-local virtualenv (.venv), not the system Python.
PIP_PACKAGES=(
  websockets          # WebSocket server and client peers (tests/websocket.rs)
  pyarrow             # an independent Parquet reader (tests/parquet.rs)
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    say "need root or sudo to install: ${missing[*]}"
    exit 1
  fi
  say "installing Debian packages the tests drive: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python3 ]; then
  say "creating the Python virtualenv .venv for the test peers"
  python3 -m venv .venv
fi
missing=()
for p in "${PIP_PACKAGES[@]}"; do
  .venv/bin/python3 -c "import $p" 2>/dev/null || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Python packages into .venv: ${missing[*]}"
  .venv/bin/pip install -q --disable-pip-version-check "${missing[@]}"
fi
# Tests start `python3`: the virtualenv's, with the packages above.
export PATH="$PWD/.venv/bin:$PATH"

if ! command -v mdbook >/dev/null; then
  say "building mdbook, which builds the docs site (about 6 minutes the first time; it stays in ~/.cargo/bin)"
  cargo install mdbook --locked --quiet
fi

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
say "cargo test"
cargo test --locked
