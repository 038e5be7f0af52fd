#!/usr/bin/env bash
# Runs every benchmark (local store, console, and S3 side by side with awscli on moto), after
# installing and starting the peers. Builds in release mode once (cargo bench).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/peers.sh
moto_install
peers_start
trap peers_stop EXIT
cargo bench --locked "$@"
