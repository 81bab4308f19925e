#!/usr/bin/env bash
# The whole test suite: installs what the tests need, then checks formatting, lints and runs
# every test (unit, integration, doc). Works on a fresh machine with the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

# External peers the tests drive: Chromium renders the docs site, mdBook builds it. Connector
# issues add theirs here (apt: ffmpeg, clickhouse-server, ...; pip: websockets, pyarrow, ...).
APT_PACKAGES=(chromium lz4 clickhouse-server openssl curl)
PIP_PACKAGES=(websockets pyarrow)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
missing=()
for p in "${PIP_PACKAGES[@]}"; do
  python3 -c "import $p" 2>/dev/null || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  pip install -q "${missing[@]}"
fi
# About 6 minutes the first time on 2 cores; the binary then stays in ~/.cargo/bin.
command -v mdbook >/dev/null || cargo install mdbook --locked --quiet

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
