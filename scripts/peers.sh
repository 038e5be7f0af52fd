# Test peers, installed into .peers/ and started on free loopback ports. Sourced by test.sh and
# bench scripts. Each peer exports the variable its tests read; a test that needs a peer whose
# variable is missing fails loudly rather than skipping.
PEERS_DIR="${PEERS_DIR:-$PWD/.peers}"
PEER_PIDS=()

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for_port() { # port, name, seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "peer $2 did not start on port $1; see $PEERS_DIR/$2.log" >&2
  cat "$PEERS_DIR/$2.log" >&2 || true
  return 1
}

# Installs every peer; quick when already installed.
peers_install() {
  bridge_install
}

# Starts the long-running peers (the Bridge is started by its tests, which restart it).
peers_start() { :; }

# The test Bridge: Express 5 + cors + dotenv, pinned by tests/bridge/package-lock.json.
bridge_install() {
  if [ ! -d tests/bridge/node_modules/express ] || [ tests/bridge/package-lock.json -nt tests/bridge/node_modules/.package-lock.json ]; then
    echo "installing the test Bridge (npm ci in tests/bridge)" >&2
    npm ci --prefix tests/bridge --no-audit --no-fund --loglevel=error >&2
  fi
}


peers_stop() {
  local p
  for p in "${PEER_PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
}
