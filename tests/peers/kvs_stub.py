"""A hand-written stand-in for the CloudFront KeyValueStore data plane (`cloudfront-keyvaluestore`,
restJson1): moto serves the KeyValueStore control plane but not these calls, and AWS publishes no
emulator. Written from the API reference (DescribeKeyValueStore, GetKey, ListKeys, PutKey,
DeleteKey, UpdateKeys) and the Smithy model's HTTP bindings that aws-sdk-cloudfrontkeyvaluestore
is generated from:

  GET    /key-value-stores/{KvsARN}                  Describe: KvsARN, Created, ETag (also as a
                                                     header), ItemCount, TotalSizeInBytes
  GET    /key-value-stores/{KvsARN}/keys             ListKeys: Items [{Key, Value}], NextToken
                                                     (pages of 2, so a client must follow them)
  GET    /key-value-stores/{KvsARN}/keys/{Key}       GetKey: Key, Value (404 if absent)
  PUT    /key-value-stores/{KvsARN}/keys/{Key}       PutKey, If-Match required
  DELETE /key-value-stores/{KvsARN}/keys/{Key}       DeleteKey, If-Match required
  POST   /key-value-stores/{KvsARN}/keys             UpdateKeys {Puts, Deletes}, If-Match required

A write whose If-Match is not the current ETag is answered 409 ConflictException, as AWS answers a
stale ETag, and changes nothing. Keys over 512 bytes or values over 1 KB are 400
ValidationException (the quotas). Requests must be signed with SigV4A for region set `*`
(`Authorization: AWS4-ECDSA-P256-SHA256 …` and `X-Amz-Region-Set: *`); the signature itself is not
verified (the stub has no credentials to check it against).

Usage: python kvs_stub.py READY_FILE ARN
  Writes the port to READY_FILE once it listens. GET /_state shows the items, the ETag and every
  request; POST /_state {"key": "value", ...} replaces the items (as another manager's write).
"""
import datetime
import time
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

STATE = {"items": {}, "version": 1, "requests": []}
LOCK = threading.Lock()
ARN = ""
CREATED = datetime.datetime.now(datetime.timezone.utc).timestamp()
PAGE = 2


def etag():
    return f"KV{STATE['version']:08d}"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, kind, message):
        self.send(status, {"message": message}, {"x-amzn-ErrorType": kind})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")

    def route(self):
        url = urlparse(self.path)
        parts = [unquote(p) for p in url.path.split("/") if p]
        return url, parts

    def signed(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-ECDSA-P256-SHA256") or self.headers.get("X-Amz-Region-Set") != "*":
            self.error(403, "AccessDeniedException", "requests must be signed with SigV4A for region set *")
            return False
        return True

    def size(self):
        return sum(len(k) + len(v) for k, v in STATE["items"].items())

    def do_GET(self):
        url, parts = self.route()
        if parts == ["_state"]:
            with LOCK:
                return self.send(200, {"items": STATE["items"], "etag": etag(), "requests": STATE["requests"]})
        if not self.signed():
            return
        with LOCK:
            STATE["requests"].append({"method": "GET", "path": url.path, "at": time.time()})
            if len(parts) < 2 or parts[0] != "key-value-stores" or parts[1] != ARN:
                return self.error(404, "ResourceNotFoundException", "no such KeyValueStore")
            if len(parts) == 2:
                return self.send(200, {"KvsARN": ARN, "Created": CREATED, "ETag": etag(),
                                       "ItemCount": len(STATE["items"]), "TotalSizeInBytes": self.size(),
                                       "Status": "READY"}, {"ETag": etag()})
            if len(parts) == 3 and parts[2] == "keys":
                keys = sorted(STATE["items"])
                start = int((parse_qs(url.query).get("NextToken") or ["0"])[0])
                page = keys[start:start + PAGE]
                body = {"Items": [{"Key": k, "Value": STATE["items"][k]} for k in page]}
                if start + PAGE < len(keys):
                    body["NextToken"] = str(start + PAGE)
                return self.send(200, body)
            if len(parts) == 4 and parts[2] == "keys":
                if parts[3] not in STATE["items"]:
                    return self.error(404, "ResourceNotFoundException", "no such key")
                return self.send(200, {"Key": parts[3], "Value": STATE["items"][parts[3]],
                                       "ItemCount": len(STATE["items"]), "TotalSizeInBytes": self.size()})
        self.error(404, "ResourceNotFoundException", "unknown path")

    def write(self, method, apply):
        url, parts = self.route()
        if not self.signed():
            return
        with LOCK:
            STATE["requests"].append({"method": method, "path": url.path, "if_match": self.headers.get("If-Match"),
                                      "at": time.time()})
            if len(parts) < 3 or parts[0] != "key-value-stores" or parts[1] != ARN or parts[2] != "keys":
                return self.error(404, "ResourceNotFoundException", "no such KeyValueStore")
            if self.headers.get("If-Match") != etag():
                return self.error(409, "ConflictException", "the ETag does not match: the store changed")
            puts, deletes = apply(parts)
            for k, v in puts:
                if len(k.encode()) > 512 or len(v.encode()) > 1024:
                    return self.error(400, "ValidationException", "key or value too long")
            for k, v in puts:
                STATE["items"][k] = v
            for k in deletes:
                STATE["items"].pop(k, None)
            STATE["version"] += 1
            return self.send(200, {"ItemCount": len(STATE["items"]), "TotalSizeInBytes": self.size(),
                                   "ETag": etag()}, {"ETag": etag()})

    def do_PUT(self):
        self.write("PUT", lambda parts: ([(parts[3], self.body()["Value"])], []))

    def do_DELETE(self):
        self.write("DELETE", lambda parts: ([], [parts[3]]))

    def do_POST(self):
        url, parts = self.route()
        if parts == ["_state"]:
            with LOCK:
                STATE["items"] = self.body()
                STATE["version"] += 1
                return self.send(200, {"etag": etag()})

        def update(_parts):
            b = self.body()
            return ([(p["Key"], p["Value"]) for p in b.get("Puts") or []],
                    [d["Key"] for d in b.get("Deletes") or []])
        self.write("POST", update)


def main():
    global ARN
    ready, ARN = sys.argv[1], sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(ready + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(ready + ".tmp", ready)
    server.serve_forever()


if __name__ == "__main__":
    main()
