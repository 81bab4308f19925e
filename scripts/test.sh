#!/usr/bin/env bash
# The whole test suite: installs what the tests need, then checks formatting, lints and runs
# every test (unit, integration, doc). Works on a fresh machine with the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

# External peers the tests drive. None are needed yet by the core; connector issues add theirs
# here (apt: ffmpeg, clickhouse-server, ...; pip: websockets, pyarrow, ...).
APT_PACKAGES=()
PIP_PACKAGES=()
if [ ${#APT_PACKAGES[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${APT_PACKAGES[@]}"
fi
if [ ${#PIP_PACKAGES[@]} -gt 0 ]; then
  pip install -q "${PIP_PACKAGES[@]}"
fi

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
