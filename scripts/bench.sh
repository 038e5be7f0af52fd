#!/usr/bin/env bash
# Runs every benchmark (local store, console, S3 side by side with awscli on moto, Azure Blob side
# by side with az on Azurite) and the torture run at length, after installing and starting the peers. Builds in release mode
# once (cargo bench).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/peers.sh
nginx_install
moto_install
azurite_install
# az (PyPI azure-cli) for the Azure benchmark: only the benchmark needs it, so the test command
# does not install it.
AZ_VENV="$PEERS_DIR/azcli"
if [ ! -x "$AZ_VENV/bin/az" ]; then
  echo "installing azure-cli into $AZ_VENV" >&2
  python3 -m venv "$AZ_VENV"
  "$AZ_VENV/bin/pip" install --quiet --disable-pip-version-check azure-cli >&2
fi
export SHIPDECK_BENCH_AZ="$AZ_VENV/bin/az"
# GoAccess, the peer of the traffic benchmark (Debian's package).
if ! command -v goaccess >/dev/null; then
  echo "installing goaccess (apt) for the traffic benchmark" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq goaccess >&2
fi
# az's storage SDK sends a newer service version than Azurite 3.35 knows (Shipdeck pins one it
# knows), so the benchmark's Azurite skips that check.
export AZURITE_FLAGS="--skipApiVersionCheck"
peers_start
trap peers_stop EXIT
cargo bench --locked "$@"
# The torture run at length (the test command runs a few steps per backend): two managers, kills
# and a frozen server, 1,000 steps per backend; a failure prints the seed that replays it.
SHIPDECK_TORTURE_STEPS="${SHIPDECK_TORTURE_STEPS:-1000}" cargo test --locked --features test-faults \
  --test torture -- --nocapture
