"""A hand-written stand-in for the few GitHub REST endpoints Shipdeck calls: there is no GitHub
emulator. Every request is checked against GitHub's published OpenAPI description
(github/rest-api-description, descriptions/api.github.com/api.github.com.2026-03-10): method
and path of each operation, the headers GitHub requires (`Authorization`, `Accept:
application/vnd.github+json`, `X-GitHub-Api-Version`, `User-Agent`), and each request body's
schema (required properties, types, no unknown properties). A request that breaks a rule is
answered 422 and recorded as a violation.

Operations (operationId in the description):
  actions/get-repo-variable, actions/update-repo-variable, actions/create-repo-variable
  actions/get-environment-variable, actions/update-environment-variable,
  actions/create-environment-variable
  actions/get-repo-public-key, actions/get-environment-public-key
  actions/create-or-update-repo-secret, actions/create-or-update-environment-secret
  actions/create-workflow-dispatch, actions/list-workflow-runs, actions/get-workflow-run

Secrets are opened with the private key the stub handed out (PyNaCl's SealedBox, libsodium's
own construction), so a test sees the plaintext the Bridge would get. A dispatched run goes
queued -> in_progress -> completed over successive reads; on completion it restarts the real
Express + cors test Bridge with ALLOWED_ORIGINS / ADDITIONAL_ORIGINS from the variables (or the
opened secrets), as the Bridge's deploy pipeline does.

Usage: python github_stub.py READY_FILE TOKEN BRIDGE_DIR
  Writes "API_PORT BRIDGE_PORT" to READY_FILE once it listens. GET /_state shows variables, opened secrets,
  runs and violations. POST /_state/variables/NAME {"value": ...} changes a variable behind
  Shipdeck's back; POST /_state/fail-next-run makes the next run conclude "failure";
  POST /_state/workflows ["a.yml", ...] sets the repository's workflows (default:
  deploy-bridge.yml): "get a workflow" answers 404 for any other, and so does a dispatch.
"""
import base64
import datetime
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

from nacl.public import PrivateKey, SealedBox

API_VERSION = "2026-03-10"
LOCK = threading.Lock()
KEY = PrivateKey.generate()
KEY_ID = "568250167242549743"
STATE = {"variables": {}, "secrets": {}, "runs": [], "violations": [], "requests": [], "fail_next": False,
         "workflows": ["deploy-bridge.yml"]}
REPO = r"/repos/(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]+)"
ENV = r"/environments/(?P<env>[^/]+)"

# Request body schemas, from the description's requestBody of each operation.
VARIABLE_CREATE = {"required": {"name": str, "value": str}, "optional": {}}
VARIABLE_UPDATE = {"required": {}, "optional": {"name": str, "value": str}}
SECRET_PUT = {"required": {"encrypted_value": str, "key_id": str}, "optional": {}}
DISPATCH = {"required": {"ref": str}, "optional": {"inputs": dict, "return_run_details": bool}}

ROUTES = [
    ("GET", REPO + r"/actions/variables/(?P<name>[A-Za-z0-9_]+)$", "get_var", None),
    ("PATCH", REPO + r"/actions/variables/(?P<name>[A-Za-z0-9_]+)$", "update_var", VARIABLE_UPDATE),
    ("POST", REPO + r"/actions/variables$", "create_var", VARIABLE_CREATE),
    ("GET", REPO + ENV + r"/variables/(?P<name>[A-Za-z0-9_]+)$", "get_var", None),
    ("PATCH", REPO + ENV + r"/variables/(?P<name>[A-Za-z0-9_]+)$", "update_var", VARIABLE_UPDATE),
    ("POST", REPO + ENV + r"/variables$", "create_var", VARIABLE_CREATE),
    ("GET", REPO + r"/actions/secrets/public-key$", "public_key", None),
    ("GET", REPO + ENV + r"/secrets/public-key$", "public_key", None),
    ("PUT", REPO + r"/actions/secrets/(?P<name>[A-Za-z0-9_]+)$", "put_secret", SECRET_PUT),
    ("PUT", REPO + ENV + r"/secrets/(?P<name>[A-Za-z0-9_]+)$", "put_secret", SECRET_PUT),
    ("GET", REPO + r"/actions/workflows/(?P<wf>[^/]+)$", "get_workflow", None),
    ("POST", REPO + r"/actions/workflows/(?P<wf>[^/]+)/dispatches$", "dispatch", DISPATCH),
    ("GET", REPO + r"/actions/workflows/(?P<wf>[^/]+)/runs$", "list_runs", None),
    ("GET", REPO + r"/actions/runs/(?P<run>[0-9]+)$", "get_run", None),
]

BRIDGE = {"proc": None, "port": None}


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_body(schema, body):
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    for k, t in schema["required"].items():
        if k not in body:
            return f"'{k}' is required"
        if not isinstance(body[k], t):
            return f"'{k}' must be a {t.__name__}"
    for k, v in body.items():
        if k in schema["required"]:
            continue
        if k not in schema["optional"]:
            return f"'{k}' is not a property of this request"
        if not isinstance(v, schema["optional"][k]):
            return f"'{k}' must be a {schema['optional'][k].__name__}"
    return None


def restart_bridge():
    """As the deploy pipeline does: a new Bridge process with the lists from GitHub."""
    def value(name):
        v = STATE["variables"].get((None, name)) or STATE["variables"].get(("production", name))
        if v is not None:
            return v["value"]
        return STATE["secrets"].get(name, "")
    if BRIDGE["proc"] is not None:
        BRIDGE["proc"].terminate()
        BRIDGE["proc"].wait()
    env = dict(os.environ, PORT=str(BRIDGE["port"]), BRIDGE_ENV="/dev/null",
               ALLOWED_ORIGINS=value("ALLOWED_ORIGINS"), ADDITIONAL_ORIGINS=value("ADDITIONAL_ORIGINS"))
    BRIDGE["proc"] = subprocess.Popen(["node", os.path.join(BRIDGE_DIR, "server.js")], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", BRIDGE["port"])) == 0:
                return
        time.sleep(0.05)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(code)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def violation(self, why):
        with LOCK:
            STATE["violations"].append(f"{self.command} {self.path}: {why}")
        self.reply(422, {"message": f"Invalid request: {why}", "documentation_url": "https://docs.github.com/rest"})

    def handle_any(self):
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length", "0") or 0)
        raw = self.rfile.read(length) if length else b""
        if url.path.startswith("/_state"):
            return self.control(url.path, raw)
        with LOCK:
            STATE["requests"].append({"method": self.command, "path": url.path, "query": url.query})
        auth = self.headers.get("Authorization", "")
        if auth not in (f"Bearer {TOKEN}", f"token {TOKEN}"):
            return self.reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"})
        if self.headers.get("Accept") != "application/vnd.github+json":
            return self.violation("Accept must be application/vnd.github+json")
        if self.headers.get("X-GitHub-Api-Version") != API_VERSION:
            return self.violation(f"X-GitHub-Api-Version must be {API_VERSION}")
        if not self.headers.get("User-Agent"):
            return self.violation("GitHub requires a User-Agent")
        for method, pattern, op, schema in ROUTES:
            m = re.match(pattern, url.path)
            if m and method == self.command:
                body = None
                if schema is not None:
                    if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
                        return self.violation("the body must be sent as application/json")
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        return self.violation("the body is not JSON")
                    why = check_body(schema, body)
                    if why:
                        return self.violation(why)
                elif raw:
                    return self.violation("this operation takes no body")
                params = {k: unquote(v) for k, v in m.groupdict().items() if v is not None}
                return getattr(self, op)(params, body, url)
        return self.reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any

    def control(self, path, raw):
        if path == "/_state":
            with LOCK:
                return self.reply(200, {
                    "variables": {f"{e or ''}:{n}": v for (e, n), v in STATE["variables"].items()},
                    "secrets": STATE["secrets"], "runs": STATE["runs"],
                    "violations": STATE["violations"], "requests": STATE["requests"],
                    "bridge_port": BRIDGE["port"]})
        m = re.match(r"/_state/variables/([^/]+)$", path)
        if m:
            body = json.loads(raw)
            with LOCK:
                key = (body.get("environment"), m.group(1))
                STATE["variables"][key] = {"name": m.group(1), "value": body["value"], "created_at": now(), "updated_at": now()}
            return self.reply(204)
        if path == "/_state/workflows":
            with LOCK:
                STATE["workflows"] = json.loads(raw)
            return self.reply(204)
        if path == "/_state/fail-next-run":
            STATE["fail_next"] = True
            return self.reply(204)
        return self.reply(404, {"message": "Not Found"})

    def get_var(self, p, body, url):
        v = STATE["variables"].get((p.get("env"), p["name"]))
        if v is None:
            return self.reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        self.reply(200, v)

    def update_var(self, p, body, url):
        key = (p.get("env"), p["name"])
        with LOCK:
            v = STATE["variables"].get(key)
            if v is None:
                return self.reply(404, {"message": "Not Found"})
            if "value" in body:
                v["value"] = body["value"]
            v["updated_at"] = now()
        self.reply(204)

    def create_var(self, p, body, url):
        key = (p.get("env"), body["name"])
        with LOCK:
            if key in STATE["variables"]:
                return self.reply(409, {"message": "Already exists - Variable already exists", "documentation_url": "https://docs.github.com/rest"})
            STATE["variables"][key] = {"name": body["name"], "value": body["value"], "created_at": now(), "updated_at": now()}
        self.reply(201, {})

    def public_key(self, p, body, url):
        self.reply(200, {"key_id": KEY_ID, "key": base64.b64encode(bytes(KEY.public_key)).decode()})

    def put_secret(self, p, body, url):
        if body["key_id"] != KEY_ID:
            return self.violation("key_id is not the key this repository handed out")
        try:
            plain = SealedBox(KEY).decrypt(base64.b64decode(body["encrypted_value"])).decode()
        except Exception as e:
            return self.violation(f"encrypted_value is not a sealed box for this key: {e}")
        with LOCK:
            existed = p["name"] in STATE["secrets"]
            STATE["secrets"][p["name"]] = plain
        self.reply(204 if existed else 201, None if existed else {})

    def get_workflow(self, p, body, url):
        if p["wf"] not in STATE["workflows"]:
            return self.reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        self.reply(200, {"id": 161335, "name": "Deploy the Bridge", "path": f".github/workflows/{p['wf']}",
                         "state": "active"})

    def dispatch(self, p, body, url):
        if p["wf"] not in STATE["workflows"]:
            return self.reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        with LOCK:
            run = {"id": 1000 + len(STATE["runs"]), "workflow": p["wf"], "ref": body["ref"], "status": "queued",
                   "conclusion": None, "event": "workflow_dispatch", "created_at": now(), "reads": 0,
                   "fail": STATE["fail_next"]}
            STATE["fail_next"] = False
            STATE["runs"].append(run)
        host = self.headers.get("Host")
        if body.get("return_run_details"):
            return self.reply(200, {"workflow_run_id": run["id"],
                                    "run_url": f"http://{host}/repos/{p['owner']}/{p['repo']}/actions/runs/{run['id']}",
                                    "html_url": f"https://github.com/{p['owner']}/{p['repo']}/actions/runs/{run['id']}"})
        self.reply(204)

    def list_runs(self, p, body, url):
        runs = [public_run(r, p) for r in reversed(STATE["runs"]) if r["workflow"] == p["wf"]]
        self.reply(200, {"total_count": len(runs), "workflow_runs": runs})

    def get_run(self, p, body, url):
        with LOCK:
            run = next((r for r in STATE["runs"] if r["id"] == int(p["run"])), None)
            if run is None:
                return self.reply(404, {"message": "Not Found"})
            run["reads"] += 1
            if run["status"] == "queued":
                run["status"] = "in_progress"
            elif run["status"] == "in_progress":
                if not run["fail"]:
                    restart_bridge()
                run["status"] = "completed"
                run["conclusion"] = "failure" if run["fail"] else "success"
        self.reply(200, public_run(run, p))


def public_run(r, p):
    return {"id": r["id"], "name": "Deploy Bridge", "status": r["status"], "conclusion": r["conclusion"],
            "event": r["event"], "head_branch": r["ref"], "created_at": r["created_at"],
            "html_url": f"https://github.com/{p['owner']}/{p['repo']}/actions/runs/{r['id']}"}


if __name__ == "__main__":
    ready_file, TOKEN, BRIDGE_DIR = sys.argv[1], sys.argv[2], sys.argv[3]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        BRIDGE["port"] = s.getsockname()[1]
    restart_bridge()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(ready_file + ".tmp", "w") as f:
        f.write(f"{server.server_address[1]} {BRIDGE['port']}")
    os.replace(ready_file + ".tmp", ready_file)
    try:
        server.serve_forever()
    finally:
        if BRIDGE["proc"] is not None:
            BRIDGE["proc"].terminate()
