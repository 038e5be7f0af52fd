"""Writes realistic CDN access logs into the test peers and prints, as JSON, the counts a
correct reader must find, computed here from the generated records (not by reading the files
back), so they are an independent count.

Usage: python loggen.py cloudfront BUCKET PREFIX START_EPOCH HOURS SEED [LEGACY_DIR]   (moto)
       (with LEGACY_DIR: legacy files only, each also written to LEGACY_DIR for DuckDB)
       python loggen.py frontdoor CONTAINER START_EPOCH HOURS SEED        (Azurite, SHIPDECK_TEST_AZURE)

CloudFront: one legacy file per hour ({prefix}E2TEST.YYYY-MM-DD-HH.{id}.gz, W3C, gzip with two
members, the header repeated in the second member as in concatenated files, a trailing tab on
every row, lines shuffled out of time order, statuses 200/304/404/503/000, `Error` with 200 for
incomplete downloads, percent-encoded paths and referrers, `-` for empty), plus standard logging
v2 files in Hive layout (JSON lines, one file every other hour, field set of its own). Each file
also holds one unreadable line. Front Door: PT1H.json blobs under y=/m=/d=/h=/m=00 with string
numbers and full request URLs.
"""
import datetime
import gzip
import io
import json
import os
import random
import sys
import urllib.parse

FOLDERS = ["latest", "v1", "v1.1", "v1.1.0", "v1.0.0", "v0.9.0"]
# Each file name with the type it is by construction (umd, es, css, map, html, other).
NAMES = [("msr-webchat.umd.js", "umd"), ("msr-webchat.es.js", "es"), ("style.css", "css"),
         ("msr-webchat.umd.js.map", "map"), ("index.html", "html"), ("a b.js", "other"), ("x%20y.js", "other")]
STATUSES = [(200, 70), (304, 15), (404, 6), (503, 3), (0, 2), ("incomplete", 4)]
W3C_FIELDS = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"


def pick(rng, weighted):
    total = sum(w for _, w in weighted)
    x = rng.uniform(0, total)
    for v, w in weighted:
        x -= w
        if x <= 0:
            return v
    return weighted[-1][0]


def records(rng, start, hours, per_hour):
    out = []
    for h in range(hours):
        for _ in range(per_hour):
            t = start + h * 3600 + rng.randrange(3600)
            folder = rng.choice(FOLDERS)
            status = pick(rng, STATUSES)
            name, ftype = rng.choice(NAMES)
            size = rng.randrange(100, 90000)
            # A known latency distribution (log-normal around 55 ms, a slow tail), whole ms.
            ms = min(60000, int(rng.lognormvariate(4.0, 0.9)) + 1)
            referer = rng.choice(["-", "https://shop.example.com/page?x=1", "https://blog.example.org/", "https://a.example.net:8443/p"])
            out.append({"t": t, "folder": folder, "status": status, "name": name, "type": ftype, "bytes": size,
                        "referer": referer, "hit": rng.random() < 0.8, "ms": ms})
    return out


def nearest_rank(values, q):
    ordered = sorted(values)
    k = max(1, -(-int(q * 1000) * len(ordered) // 1000))  # ceil(q * n) in integers
    return ordered[k - 1]


def expected(recs, start, hours):
    counts = {}
    latencies = {}
    for r in recs:
        c = counts.setdefault(r["folder"], {"requests": 0, "bytes": 0, "s2xx": 0, "s304": 0, "s4xx": 0, "s5xx": 0, "incomplete": 0, "aborted": 0,
                                            "types": {}})
        c["types"][r["type"]] = c["types"].get(r["type"], 0) + 1
        latencies.setdefault(r["folder"], []).append(r["ms"])
        c["requests"] += 1
        c["bytes"] += r["bytes"]
        s = r["status"]
        if s == "incomplete":
            c["s2xx"] += 1
            c["incomplete"] += 1
        elif s == 304:
            c["s304"] += 1
        elif 200 <= s < 300:
            c["s2xx"] += 1
        elif 400 <= s < 500:
            c["s4xx"] += 1
        elif 500 <= s < 600:
            c["s5xx"] += 1
        elif s == 0:
            c["aborted"] += 1
    for folder, values in latencies.items():
        counts[folder]["latency"] = {"p50": nearest_rank(values, 0.50), "p95": nearest_rank(values, 0.95),
                                     "p99": nearest_rank(values, 0.99)}
    return counts


def hourly(recs):
    """Per hour (epoch seconds of its start) and folder: requests per file type, and the sum and
    count of latencies in ms — what `metrics publish` must send for the complete hours."""
    out = {}
    for r in recs:
        h = str(r["t"] - r["t"] % 3600)
        c = out.setdefault(h, {}).setdefault(r["folder"], {"types": {}, "ms_sum": 0, "timed": 0})
        c["types"][r["type"]] = c["types"].get(r["type"], 0) + 1
        c["ms_sum"] += r["ms"]
        c["timed"] += 1
    return out


def w3c_row(r):
    t = datetime.datetime.fromtimestamp(r["t"], datetime.timezone.utc)
    status = r["status"]
    result = "Hit" if r["hit"] else "Miss"
    if status == "incomplete":
        status, result = 200, "Error"
    path = "/msr-webchat/" + r["folder"] + "/" + urllib.parse.quote(r["name"])
    referer = r["referer"] if r["referer"] == "-" else urllib.parse.quote(r["referer"], safe="/")
    st = "000" if status == 0 else str(status)
    cols = [t.strftime("%Y-%m-%d"), t.strftime("%H:%M:%S"), "IAD89-C1", str(r["bytes"]), "192.0.2.10", "GET",
            "d111111abcdef8.cloudfront.net", path, st, referer, "Mozilla/5.0%20(X11)", "-", "-", result, "req-id",
            "cdn.example.com", "https", "120", f"{r['ms'] / 1000:.3f}", "-", "TLSv1.3", "TLS_AES_128_GCM_SHA256", result, "HTTP/2.0",
            "-", "-", "51234", "0.001", result, "text/javascript", str(r["bytes"]), "-", "-"]
    return "\t".join(cols) + "\t\n"


def v2_json(r):
    status = r["status"]
    result = "Hit" if r["hit"] else "Miss"
    if status == "incomplete":
        status, result = 200, "Error"
    return json.dumps({"timestamp": str(r["t"]), "cs-uri-stem": "/msr-webchat/" + r["folder"] + "/" + urllib.parse.quote(r["name"]),
                       "sc-status": "000" if status == 0 else str(status), "sc-bytes": str(r["bytes"]),
                       "x-edge-result-type": result, "cs(Referer)": r["referer"],
                       "time-taken": f"{r['ms'] / 1000:.3f}"}) + "\n"


def cloudfront(bucket, prefix, start, hours, seed, legacy_dir=None):
    import boto3
    s3 = boto3.client("s3", endpoint_url=os.environ["SHIPDECK_TEST_S3"], region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    rng = random.Random(seed)
    recs = records(rng, start, hours, 60)
    by_hour = {}
    for r in recs:
        by_hour.setdefault((r["t"] - start) // 3600, []).append(r)
    for h, rs in by_hour.items():
        hour = datetime.datetime.fromtimestamp(start + h * 3600, datetime.timezone.utc)
        if h % 2 == 1 and legacy_dir is None:
            # Standard logging v2, JSON, Hive-style path.
            body = "".join(v2_json(r) for r in rs) + "this is not json\n"
            key = f"{prefix}v2/DistributionId=E2TEST/year={hour:%Y}/month={hour:%m}/day={hour:%d}/hour={hour:%H}/E2TEST.{h}.log"
            s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
            continue
        rng.shuffle(rs)
        half = len(rs) // 2
        header = f"#Version: 1.0\n#Fields: {W3C_FIELDS}\n"
        first = header + "".join(w3c_row(r) for r in rs[:half]) + "garbage line without fields\n"
        second = header + "".join(w3c_row(r) for r in rs[half:])
        data = gzip.compress(first.encode()) + gzip.compress(second.encode())
        key = f"{prefix}E2TEST.{hour:%Y-%m-%d-%H}.{seed:04x}{h:04x}.gz"
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        if legacy_dir is not None:
            with open(os.path.join(legacy_dir, key.rsplit("/", 1)[-1]), "wb") as f:
                f.write(data)
    return {"counts": expected(recs, start, hours), "requests": len(recs), "hourly": hourly(recs)}


def frontdoor(container, start, hours, seed):
    from azure.storage.blob import BlobServiceClient
    key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
    svc = BlobServiceClient(account_url=os.environ["SHIPDECK_TEST_AZURE"],
                            credential={"account_name": "devstoreaccount1", "account_key": key}, api_version="2025-11-05")
    c = svc.get_container_client(container)
    rng = random.Random(seed)
    recs = [r for r in records(rng, start, hours, 40) if r["status"] != "incomplete"]
    by_hour = {}
    for r in recs:
        by_hour.setdefault((r["t"] - start) // 3600, []).append(r)
    for h, rs in by_hour.items():
        hour = datetime.datetime.fromtimestamp(start + h * 3600, datetime.timezone.utc)
        lines = []
        for r in rs:
            t = datetime.datetime.fromtimestamp(r["t"], datetime.timezone.utc)
            uri = "https://cdn.example.com:443/msr-webchat/" + r["folder"] + "/" + urllib.parse.quote(r["name"]) + "?v=1"
            lines.append(json.dumps({"time": t.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"), "category": "FrontDoorAccessLog",
                                     "properties": {"requestUri": uri, "httpStatusCode": str(r["status"]),
                                                    "responseBytes": str(r["bytes"]), "cacheStatus": "HIT" if r["hit"] else "MISS",
                                                    "referrer": "" if r["referer"] == "-" else r["referer"],
                                                    "timeTaken": f"{r['ms'] / 1000:.3f}"}}))
        body = "\n".join(lines) + "\n{broken\n"
        name = f"resourceId=/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CDN/PROFILES/P/y={hour:%Y}/m={hour:%m}/d={hour:%d}/h={hour:%H}/m=00/PT1H.json"
        c.upload_blob(name, body.encode(), overwrite=True)
    return {"counts": expected(recs, start, hours), "requests": len(recs), "hourly": hourly(recs)}


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "cloudfront":
        print(json.dumps(cloudfront(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]),
                                    sys.argv[7] if len(sys.argv) > 7 else None)))
    else:
        print(json.dumps(frontdoor(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))))
