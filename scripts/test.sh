#!/usr/bin/env bash
# Runs the whole test suite, test peers included: installs what the tests need into .peers/
# (git-ignored) and tests/bridge/node_modules, starts the peers on free loopback ports, runs
# `cargo test`, stops them, and scans the whole output for the tests' secrets.
# This is the README's second command; .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/peers.sh
peers_install
peers_start
trap peers_stop EXIT

mkdir -p "$PEERS_DIR"
log="$PEERS_DIR/test-output.log"
# The lint gate first (Cargo.toml's [lints] table, clippy.toml), then the benchmarks compiled
# in the same dev profile but not run (they are timing runs; `bash scripts/bench.sh` runs
# them), then every test: library, binary, integration, doc. The test instruments (the
# fault-injecting store) exist only with the `test-faults` feature, which release builds lack.
FEATURES=(--features test-faults)
{ cargo fmt --check &&
  cargo clippy --locked --all-targets "${FEATURES[@]}" -- -D warnings &&
  cargo test --locked "${FEATURES[@]}" --benches --no-run &&
  cargo test --locked --no-fail-fast "${FEATURES[@]}" "$@"; } 2>&1 | tee "$log"

# No credential used by a test may appear in anything a test run printed.
# Azure's: Azurite's account key (the tests sign with it), a wrong key, and the Resource Manager
# token the purge tests hand out.
if grep -n -e 'shipdeck-e2e-secret-Q7vX2kLp' -e 'wJalrXUtnFEMI/K7MDENG' \
  -e 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6' -e 'c2hpcGRlY2stYXp1cmUtd3Jvbmcta2V5' \
  -e 'shipdeck-arm-token-V3nq8Rw' -e 'ghp_shipdeckStubToken4Kx9' -e 'ghp_wrongTokenZZ81' \
  -e 'ghp_shipdeckKeyringToken7Qw' -e 'sntrys_shipdeckStubToken5Rw' "$log"; then
  echo "FAILED: a test secret appeared in the test output (see the lines above)" >&2
  exit 1
fi

# One closing line with the totals of every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "total: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
