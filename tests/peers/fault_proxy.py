"""A fault injector in front of a real server (moto), not a stand-in for one: it forwards every
request to TARGET unchanged, until MATCH (a substring of the request's body, read decompressed
when it is gzip, or of its X-Amz-Target header) has been forwarded ALLOW times; from then on
such requests get a 500 in the AWS query protocol's error shape, as a service failing mid-run
would answer. Other requests are always forwarded.

(A server that stops answering at a chosen request is tests/common/freeze.rs; this one answers,
with an error.)

Usage: python fault_proxy.py READY_FILE TARGET MATCH ALLOW
Writes its port to READY_FILE once it listens on 127.0.0.1.
"""
import gzip
import http.client
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

READY, TARGET, MATCH, ALLOW = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
target = urllib.parse.urlsplit(TARGET)
lock = threading.Lock()
matched = 0

FAILURE = (b'<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error>'
           b'<Type>Receiver</Type><Code>InternalFailure</Code>'
           b'<Message>injected failure</Message></Error><RequestId>fault</RequestId></ErrorResponse>')


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        global matched
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        # The SDKs compress large bodies (CloudWatch's PutMetricData among them).
        plain = gzip.decompress(body) if self.headers.get("Content-Encoding") == "gzip" else body
        hit = MATCH.encode() in plain or MATCH in (self.headers.get("X-Amz-Target") or "")
        if hit:
            with lock:
                matched += 1
                fail = matched > ALLOW
            if fail:
                self.send_response(500)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(FAILURE)))
                self.end_headers()
                self.wfile.write(FAILURE)
                return
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(READY + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))

os.replace(READY + ".tmp", READY)
server.serve_forever()
