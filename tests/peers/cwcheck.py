"""Reads back, with boto3 (the official AWS SDK for Python), what is in moto's CloudWatch under a
namespace, and prints it as JSON, so the tests compare Shipdeck's published metrics with an
independent client's view.

Usage: python cwcheck.py metrics NAMESPACE START_EPOCH END_EPOCH   (SHIPDECK_TEST_S3 is moto)
       python cwcheck.py alarms PREFIX
Prints {"DownloadCount": {VERSION: {FILETYPE: sum}}, "DownloadLatency": {VERSION: {"sum": s,
"count": n}}}, or the alarms with their queries.
"""
import datetime
import json
import os
import sys

import boto3


def client():
    return boto3.client("cloudwatch", endpoint_url=os.environ["SHIPDECK_TEST_S3"], region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def metrics(namespace, start, end):
    cw = client()
    out = {"DownloadCount": {}, "DownloadLatency": {}}
    t0 = datetime.datetime.fromtimestamp(start, datetime.timezone.utc)
    t1 = datetime.datetime.fromtimestamp(end, datetime.timezone.utc)
    period = max(60, (end - start + 59) // 60 * 60)
    for m in cw.list_metrics(Namespace=namespace)["Metrics"]:
        dims = {d["Name"]: d["Value"] for d in m["Dimensions"]}
        r = cw.get_metric_statistics(Namespace=namespace, MetricName=m["MetricName"], Dimensions=m["Dimensions"],
                                     StartTime=t0, EndTime=t1, Period=period, Statistics=["Sum", "SampleCount"])
        total = sum(p["Sum"] for p in r["Datapoints"])
        count = sum(p["SampleCount"] for p in r["Datapoints"])
        if m["MetricName"] == "DownloadCount":
            out["DownloadCount"].setdefault(dims["Version"], {})[dims["FileType"]] = int(total)
        else:
            out["DownloadLatency"][dims["Version"]] = {"sum": int(total), "count": int(count)}
    return out


def alarms(prefix):
    cw = client()
    out = []
    for a in cw.describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]:
        out.append({"name": a["AlarmName"], "comparison": a["ComparisonOperator"], "threshold": a["Threshold"],
                    "treat_missing": a.get("TreatMissingData"), "actions": a.get("AlarmActions", []),
                    "queries": [{"id": q["Id"], "expression": q.get("Expression"),
                                 "metric": q.get("MetricStat", {}).get("Metric", {}).get("MetricName"),
                                 "dimensions": {d["Name"]: d["Value"] for d in q.get("MetricStat", {}).get("Metric", {}).get("Dimensions", [])},
                                 "period": q.get("MetricStat", {}).get("Period"),
                                 "stat": q.get("MetricStat", {}).get("Stat")} for q in a.get("Metrics", [])]})
    return out


if __name__ == "__main__":
    if sys.argv[1] == "metrics":
        print(json.dumps(metrics(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))))
    else:
        print(json.dumps(alarms(sys.argv[2])))
