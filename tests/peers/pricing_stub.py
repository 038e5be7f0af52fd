"""A stand-in for the two public price lists `shipdeck pricing update` reads, serving answers
recorded in tests/peers/pricing_answers.json (hand-made in the APIs' documented shapes: neither
API can be reached from CI):

- the Azure Retail Prices API: GET /api/retail/prices?api-version=…&currencyCode='USD'&$filter=…
  answers {"Items": [...], "NextPageLink": …}; an item marked __next_page__ is served on a second
  page, so paging is exercised;
- the AWS Price List API: POST / with X-Amz-Target AWSPriceListService.GetProducts and an
  awsJson1_1 body {"ServiceCode", "Filters": [{"Type": "TERM_MATCH", "Field", "Value"}]}
  answers {"PriceList": ["<json>", ...], "FormatVersion": "aws_v1"}.

A query with no recorded answer gets an empty list, as the real APIs answer an unknown filter.
Usage: python pricing_stub.py PORT_FILE; GET /_requests lists every query seen.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

ANSWERS = json.load(open(os.path.join(os.path.dirname(__file__), "pricing_answers.json")))
SEEN = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body, ctype="application/json"):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/_requests":
            return self.reply(200, SEEN)
        if url.path != "/api/retail/prices":
            return self.reply(404, {"error": "not found"})
        q = parse_qs(url.query)
        if q.get("currencyCode") != ["USD"] or "api-version" not in q:
            return self.reply(400, {"error": "currencyCode and api-version are expected"})
        flt = q.get("$filter", [""])[0]
        page = int(q.get("page", ["1"])[0])
        SEEN.append({"api": "azure", "filter": flt, "page": page})
        items = ANSWERS["azure"].get(flt, [])
        first = [i for i in items if not i.get("__next_page__")]
        second = [{k: v for k, v in i.items() if k != "__next_page__"} for i in items if i.get("__next_page__")]
        if page == 1:
            nxt = None
            if second:
                nxt = f"http://{self.headers['Host']}{url.path}?{url.query}&page=2"
            return self.reply(200, {"BillingCurrency": "USD", "Items": first, "NextPageLink": nxt, "Count": len(first)})
        return self.reply(200, {"BillingCurrency": "USD", "Items": second, "NextPageLink": None, "Count": len(second)})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.headers.get("X-Amz-Target") != "AWSPriceListService.GetProducts":
            return self.reply(400, {"__type": "ValidationException", "message": "unknown target"}, "application/x-amz-json-1.1")
        if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256"):
            return self.reply(403, {"__type": "AccessDeniedException", "message": "not signed"}, "application/x-amz-json-1.1")
        filters = body.get("Filters", [])
        if any(f.get("Type") != "TERM_MATCH" for f in filters):
            return self.reply(400, {"__type": "InvalidParameterException", "message": "Type must be TERM_MATCH"}, "application/x-amz-json-1.1")
        key = "|".join([body.get("ServiceCode", "")] + [f"{f['Field']}={f['Value']}" for f in filters])
        SEEN.append({"api": "aws", "key": key})
        docs = ANSWERS["aws"].get(key, [])
        self.reply(200, {"FormatVersion": "aws_v1", "PriceList": [json.dumps(d) for d in docs]}, "application/x-amz-json-1.1")


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()
