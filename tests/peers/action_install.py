"""Runs the composite action's install step (action.yml, step `install`) as GitHub Actions would,
against a local HTTP server standing in for GitHub's release downloads, and prints what happened
as JSON: {"rc": exit code, "outputs": {...}, "log": stdout and stderr}.

Usage: python action_install.py ROOT RELEASES_DIR VERSION SHA256 RUNNER_TEMP
  RELEASES_DIR is served as the server's root: OWNER/REPO/releases/download/TAG/ASSET.
  VERSION and SHA256 are the action's inputs ("" for the defaults). The repository is
  "owner/shipdeck"; the action's own checkout is ROOT (its Cargo.toml gives the default version).
  RUNNER_TEMP is the caller's folder (the binary is installed there and outlives this script,
  so the caller can run it and removes it with its own temporary folder).
"""
import functools
import json
import os
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import yaml

root, releases, version, sha256, tmp = sys.argv[1:6]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=releases))
threading.Thread(target=server.serve_forever, daemon=True).start()

action = yaml.safe_load(open(os.path.join(root, "action.yml")))
step = next(s for s in action["runs"]["steps"] if s.get("id") == "install")
out = os.path.join(tmp, "output")
open(out, "w").close()
env = dict(os.environ, VERSION=version, SHA256=sha256, REPOSITORY="owner/shipdeck",
           SERVER_URL=f"http://127.0.0.1:{server.server_port}", ACTION_PATH=root,
           RUNNER_TEMP=tmp, GITHUB_OUTPUT=out)
r = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True)
outputs = dict(l.split("=", 1) for l in open(out).read().splitlines() if "=" in l)
server.shutdown()
print(json.dumps({"rc": r.returncode, "outputs": outputs, "log": r.stdout + r.stderr}))
