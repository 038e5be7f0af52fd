"""A hand-written stand-in for the Sentry API endpoints Shipdeck calls and the ones sentry-cli (the
official client) reads them back with: no Sentry server runs in CI (self-hosted Sentry needs
Kafka, ClickHouse, PostgreSQL and a dozen services). Written from Sentry's published API
reference (docs.sentry.io/api/): releases, deploys and project issues.

Endpoints (all under /api/0/, `Authorization: Bearer TOKEN` required, else 401):
  POST organizations/{org}/releases/                      create a release (201; 208 if it exists)
  GET  organizations/{org}/releases/                      list releases (sentry-cli releases list)
  GET  organizations/{org}/releases/{version}/            one release (404 if unknown)
  GET  projects/{org}/{project}/releases/                 list a project's releases
  POST organizations/{org}/releases/{version}/deploys/    record a deploy (201)
  GET  organizations/{org}/releases/{version}/deploys/    list deploys (sentry-cli deploys list)
  GET  projects/{org}/{project}/issues/?query=first-release:"V"   issues first seen in V
       (pages of `per_page` with a Link header and cursor, as Sentry pages)

Bodies are checked against the reference's rules (`version` required and a string, `projects` a
non-empty list; a deploy's `environment` required); a request that breaks one is answered 400 and
recorded as a violation.

Usage: python sentry_stub.py READY_FILE TOKEN
  Writes the port to READY_FILE once it listens. GET /_state shows releases, deploys and
  violations; POST /_state/issues [{"project", "first_release", "first_seen", "count", "title"}]
  adds issues, as the widget's errors would.
"""
import datetime
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

STATE = {"releases": {}, "deploys": {}, "issues": [], "violations": [], "requests": []}
LOCK = threading.Lock()
TOKEN = ""
PER_PAGE = 3


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw or b"null")
        except ValueError:
            return None

    def violation(self, why):
        with LOCK:
            STATE["violations"].append(f"{self.command} {self.path}: {why}")
        self.send(400, {"detail": why})

    def authorized(self):
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.send(401, {"detail": "Invalid token"})
            return False
        return True

    def do_GET(self):
        u = urlparse(self.path)
        with LOCK:
            STATE["requests"].append(f"GET {u.path}")
        if u.path == "/_state":
            with LOCK:
                return self.send(200, STATE)
        if not self.authorized():
            return
        q = parse_qs(u.query)
        parts = [unquote(p) for p in u.path.strip("/").split("/")]
        if parts[:3] == ["api", "0", "organizations"] and len(parts) >= 5 and parts[4] == "releases":
            org = parts[3]
            if len(parts) == 5:
                return self.send(200, [r for r in STATE["releases"].values() if r["_org"] == org])
            version = parts[5]
            r = STATE["releases"].get(version)
            if r is None or r["_org"] != org:
                return self.send(404, {"detail": "The requested resource does not exist"})
            if len(parts) == 6:
                return self.send(200, r)
            if len(parts) == 7 and parts[6] == "deploys":
                return self.send(200, STATE["deploys"].get(version, []))
        if parts[:3] == ["api", "0", "projects"] and len(parts) == 6:
            org, project, what = parts[3], parts[4], parts[5]
            if what == "releases":
                return self.send(200, [r for r in STATE["releases"].values()
                                       if r["_org"] == org and any(p["slug"] == project for p in r["projects"])])
            if what == "issues":
                return self.issues(project, q)
        self.send(404, {"detail": "not an endpoint of this stub"})

    def issues(self, project, q):
        query = (q.get("query") or [""])[0]
        m = re.fullmatch(r'first-release:"([^"]*)"', query.strip())
        if not m:
            return self.violation(f"unexpected issue query {query!r}")
        found = [i for i in STATE["issues"] if i["project"] == project and i["first_release"] == m.group(1)]
        # Sentry's cursors are "value:offset:is_prev"; the stub pages by offset.
        parts = (q.get("cursor") or ["0:0:0"])[0].split(":")
        cursor = int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0
        page = found[cursor:cursor + PER_PAGE]
        more = cursor + PER_PAGE < len(found)
        base = f"http://127.0.0.1:{self.server.server_port}{urlparse(self.path).path}"
        link = (f'<{base}?query={query}&cursor=0:{max(0, cursor - PER_PAGE)}:1>; rel="previous"; results="{"true" if cursor else "false"}"; cursor="0:{max(0, cursor - PER_PAGE)}:1", '
                f'<{base}?query={query}&cursor=0:{cursor + PER_PAGE}:0>; rel="next"; results="{"true" if more else "false"}"; cursor="0:{cursor + PER_PAGE}:0"')
        body = [{"id": str(i["id"]), "shortId": f"WEBCHAT-{i['id']}", "title": i["title"], "count": str(i["count"]),
                 "userCount": 1, "firstSeen": i["first_seen"], "lastSeen": i["first_seen"], "level": "error",
                 "status": "unresolved"} for i in page]
        self.send(200, body, {"Link": link})

    def do_POST(self):
        u = urlparse(self.path)
        with LOCK:
            STATE["requests"].append(f"POST {u.path}")
        b = self.body()
        if u.path == "/_state/issues":
            with LOCK:
                for i in b:
                    i["id"] = len(STATE["issues"]) + 1
                    STATE["issues"].append(i)
            return self.send(200, {"ok": True})
        if not self.authorized():
            return
        parts = [unquote(p) for p in u.path.strip("/").split("/")]
        if parts[:3] == ["api", "0", "organizations"] and len(parts) == 5 and parts[4] == "releases":
            if not isinstance(b, dict) or not isinstance(b.get("version"), str) or not b["version"]:
                return self.violation("version is required and must be a string")
            if not isinstance(b.get("projects"), list) or not b["projects"]:
                return self.violation("projects is required: a non-empty list of project slugs")
            unknown = set(b) - {"version", "projects", "ref", "url", "dateReleased", "commits", "refs"}
            if unknown:
                return self.violation(f"unknown properties {sorted(unknown)}")
            with LOCK:
                existing = STATE["releases"].get(b["version"])
                if existing:
                    return self.send(208, existing)
                r = {"_org": parts[3], "version": b["version"], "shortVersion": b["version"], "ref": b.get("ref"),
                     "url": b.get("url"), "dateCreated": now(), "dateReleased": b.get("dateReleased"),
                     "newGroups": 0, "commitCount": 0, "deployCount": 0, "lastDeploy": None,
                     "projects": [{"slug": p, "name": p} for p in b["projects"]], "data": {}, "authors": [],
                     "owner": None, "lastEvent": None, "firstEvent": None, "versionInfo": None}
                STATE["releases"][b["version"]] = r
            return self.send(201, r)
        if parts[:3] == ["api", "0", "organizations"] and len(parts) == 7 and parts[6] == "deploys":
            version = parts[5]
            if version not in STATE["releases"]:
                return self.send(404, {"detail": "The requested resource does not exist"})
            if not isinstance(b, dict) or not isinstance(b.get("environment"), str) or not b["environment"]:
                return self.violation("environment is required and must be a string")
            unknown = set(b) - {"environment", "name", "url", "dateStarted", "dateFinished", "projects"}
            if unknown:
                return self.violation(f"unknown properties {sorted(unknown)}")
            with LOCK:
                deploys = STATE["deploys"].setdefault(version, [])
                d = {"id": str(sum(len(x) for x in STATE["deploys"].values()) + 1), "environment": b["environment"],
                     "name": b.get("name"), "url": b.get("url"), "dateStarted": b.get("dateStarted"),
                     "dateFinished": b.get("dateFinished") or now()}
                deploys.append(d)
                r = STATE["releases"][version]
                r["deployCount"] = len(deploys)
                r["lastDeploy"] = d
            return self.send(201, d)
        self.send(404, {"detail": "not an endpoint of this stub"})


def main():
    global TOKEN
    ready, TOKEN = sys.argv[1], sys.argv[2]
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(ready + ".tmp", "w") as f:
        f.write(str(srv.server_port))
    import os
    os.replace(ready + ".tmp", ready)
    srv.serve_forever()


if __name__ == "__main__":
    main()
