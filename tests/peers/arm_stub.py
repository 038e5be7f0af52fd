"""A hand-written stand-in for Azure Resource Manager's CDN purge API and Front Door rule-set
rules: no emulator of the management API exists (Azurite covers storage only). It serves only
what Shipdeck calls and checks every request against the shapes of azure-rest-api-specs
(`AFDEndpoints_PurgeContent.json`, `Endpoints_PurgeContent.json`, `Rules_ListByRuleSet.json`,
`Rules_Create.json`, `Rules_Delete.json`): method, path, api-version, JSON body and bearer token.
Anything else is answered 400 and recorded as a violation.

Rules: the profile's rule set `shipdeckaliases` exists (any other answers 404, as a rule set
nobody created); a rule's name is letters and digits starting with a letter; a new rule answers
201 with Azure-AsyncOperation (followed like a purge), an update 200, a delete 202 with an
operation, or 204 when there was no such rule. GET /_rules shows every rule by rule set.

Usage: python arm_stub.py PORT_FILE TOKEN [IN_PROGRESS_POLLS]
  Writes the port it listens on to PORT_FILE. A purge answers 202 with Azure-AsyncOperation and
  Retry-After; the operation reports InProgress for IN_PROGRESS_POLLS reads (default 1), then
  Succeeded. GET /_requests returns every request seen and every violation, as JSON.
"""
import json
import re
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

API_VERSION = "2025-06-01"
PURGE = re.compile(
    r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.Cdn/profiles/([^/]+)/(afdEndpoints|endpoints)/([^/]+)/purge$"
)
RULES = re.compile(
    r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.Cdn/profiles/([^/]+)/ruleSets/([^/]+)/rules(?:/([^/]+))?$"
)
RULE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,259}$")
OPERATION = re.compile(r"^/subscriptions/([^/]+)/providers/Microsoft\.Cdn/locations/global/operationresults/([0-9a-f-]+)$")

STATE = {"requests": [], "violations": [], "polls": {}, "rules": {"shipdeckaliases": {}}}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def violation(self, why):
        with LOCK:
            STATE["violations"].append(why)
        self.reply(400, {"error": {"code": "InvalidRequest", "message": why}})

    def authorized(self):
        got = self.headers.get("Authorization", "")
        if got != f"Bearer {TOKEN}":
            self.reply(401, {"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}})
            return False
        return True

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/_requests":
            with LOCK:
                return self.reply(200, {"requests": STATE["requests"], "violations": STATE["violations"]})
        if url.path == "/_rules":
            with LOCK:
                return self.reply(200, STATE["rules"])
        with LOCK:
            STATE["requests"].append({"method": "GET", "path": url.path, "query": url.query})
        if not self.authorized():
            return
        if parse_qs(url.query).get("api-version") != [API_VERSION]:
            return self.violation(f"GET {url.path}: api-version must be {API_VERSION}")
        r = RULES.match(url.path)
        if r and r.group(5) is None:
            rules = self.rule_set(r)
            if rules is None:
                return
            with LOCK:
                value = [dict(rule, name=n) for n, rule in sorted(rules.items())]
            return self.reply(200, {"value": value})
        m = OPERATION.match(url.path)
        if not m:
            return self.violation(f"GET {url.path}: not an operation this stub knows")
        op = m.group(2)
        with LOCK:
            left = STATE["polls"].get(op)
            if left is None:
                return self.reply(404, {"error": {"code": "NotFound", "message": "no such operation"}})
            STATE["polls"][op] = left - 1
        status = "InProgress" if left > 0 else "Succeeded"
        self.reply(200, {"name": op, "status": status, "startTime": "2026-11-27T00:00:00Z"})

    def rule_set(self, m):
        rules = STATE["rules"].get(m.group(4))
        if rules is None:
            self.reply(404, {"error": {"code": "NotFound", "message": f"rule set {m.group(4)} not found"}})
        return rules

    def operation(self, sub, code, body=None):
        op = str(uuid.uuid4())
        with LOCK:
            STATE["polls"][op] = POLLS
        host = self.headers.get("Host")
        url = f"http://{host}/subscriptions/{sub}/providers/Microsoft.Cdn/locations/global/operationresults/{op}?api-version={API_VERSION}"
        self.reply(code, body, {"Azure-AsyncOperation": url, "Retry-After": "1"})

    def rule_request(self, method):
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with LOCK:
            STATE["requests"].append({"method": method, "path": url.path, "query": url.query, "body": body})
        if not self.authorized():
            return None
        if parse_qs(url.query).get("api-version") != [API_VERSION]:
            self.violation(f"{method} {url.path}: api-version must be {API_VERSION}")
            return None
        m = RULES.match(url.path)
        if not m or m.group(5) is None:
            self.violation(f"{method} {url.path}: not a rule path")
            return None
        if not RULE_NAME.match(m.group(5)):
            self.violation(f"rule names are letters and digits starting with a letter: {m.group(5)!r}")
            return None
        return m, body

    def do_PUT(self):
        got = self.rule_request("PUT")
        if got is None:
            return
        m, body = got
        props = body.get("properties") if isinstance(body, dict) else None
        if not isinstance(props, dict) or not isinstance(props.get("order"), int) or props["order"] < 0:
            return self.violation(f"a rule needs properties.order (a non-negative integer): {body!r}")
        for key, prefix in (("conditions", "DeliveryRule"), ("actions", "DeliveryRule")):
            for item in props.get(key, []):
                if not isinstance(item, dict) or "name" not in item or \
                        not str(item.get("parameters", {}).get("typeName", "")).startswith(prefix):
                    return self.violation(f"every rule {key[:-1]} has a name and parameters.typeName: {item!r}")
        if not props.get("actions"):
            return self.violation("a rule needs at least one action")
        if props.get("matchProcessingBehavior", "Continue") not in ("Continue", "Stop"):
            return self.violation("matchProcessingBehavior is Continue or Stop")
        rules = self.rule_set(m)
        if rules is None:
            return
        name = m.group(5)
        with LOCK:
            existed = name in rules
            rules[name] = {"properties": dict(props, provisioningState="Succeeded", deploymentStatus="NotStarted")}
        out = {"name": name, "properties": props}
        if existed:
            return self.reply(200, out)
        self.operation(m.group(1), 201, out)

    def do_DELETE(self):
        got = self.rule_request("DELETE")
        if got is None:
            return
        m, _ = got
        rules = self.rule_set(m)
        if rules is None:
            return
        with LOCK:
            existed = rules.pop(m.group(5), None) is not None
        if not existed:
            return self.reply(204)
        self.operation(m.group(1), 202)

    def do_POST(self):
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with LOCK:
            STATE["requests"].append({"method": "POST", "path": url.path, "query": url.query, "body": body})
        if not self.authorized():
            return
        if parse_qs(url.query).get("api-version") != [API_VERSION]:
            return self.violation(f"POST {url.path}: api-version must be {API_VERSION}")
        m = PURGE.match(url.path)
        if not m:
            return self.violation(f"POST {url.path}: not a purge path")
        if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
            return self.violation("the body must be sent as application/json")
        if not isinstance(body, dict) or set(body) - {"contentPaths", "domains"}:
            return self.violation(f"the body must be an object with contentPaths (and domains): {body!r}")
        paths = body.get("contentPaths")
        if not isinstance(paths, list) or not paths or len(paths) > 100:
            return self.violation(f"contentPaths must hold 1 to 100 paths, not {paths!r}")
        if any(not isinstance(p, str) or not p.startswith("/") for p in paths):
            return self.violation(f"every content path starts with '/': {paths!r}")
        if "domains" in body and (m.group(4) != "afdEndpoints" or not isinstance(body["domains"], list)):
            return self.violation("domains is a list, and only Front Door endpoints take it")
        op = str(uuid.uuid4())
        with LOCK:
            STATE["polls"][op] = POLLS
        host = self.headers.get("Host")
        sub = m.group(1)
        self.reply(202, None, {
            "Azure-AsyncOperation": f"http://{host}/subscriptions/{sub}/providers/Microsoft.Cdn/locations/global/operationresults/{op}?api-version={API_VERSION}",
            "Location": f"http://{host}/subscriptions/{sub}/providers/Microsoft.Cdn/locations/global/operationresults/{op}?api-version={API_VERSION}",
            "Retry-After": "1",
        })


if __name__ == "__main__":
    port_file, TOKEN = sys.argv[1], sys.argv[2]
    POLLS = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()
