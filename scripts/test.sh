#!/usr/bin/env bash
# Runs the whole test suite, test peers included: installs what the tests need into .peers/
# (git-ignored), starts the peers on free loopback ports, runs `cargo test`, and stops them.
# This is the README's second command; .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/peers.sh
peers_install
peers_start
trap peers_stop EXIT

cargo test --all-targets --locked "$@"
