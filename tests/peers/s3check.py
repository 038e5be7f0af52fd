"""Independent checks of what Shipdeck did on the S3 + CloudFront peer, with boto3.

Usage: python s3check.py COMMAND ARGS...   (endpoint from SHIPDECK_TEST_S3)
  create-bucket NAME                  create a bucket
  public-read NAME                    a bucket policy letting anyone GET objects (the edge tests' origin)
  create-distribution BUCKET          create a CloudFront distribution in front of it; prints its id
  objects BUCKET PREFIX               JSON: every object's key, size, ETag, Cache-Control, Content-Type,
                                      LastModified (a rewrite of the same bytes changes it)
  get BUCKET KEY                      the JSON document stored at KEY
  invalidations DISTRIBUTION          JSON: the paths of every invalidation, with statuses
  put BUCKET KEY TEXT                 write an object by hand (as a hand-run sync would)
  edge-setup NAME                     JSON: the KeyValueStore NAME's ARN (or null) and the functions
                                      NAME-request / NAME-response: code, stage, KeyValueStore ARNs
Prints one JSON document.
"""
import json
import os
import sys

import boto3

ENDPOINT = os.environ["SHIPDECK_TEST_S3"]
KW = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def main(cmd, *args):
    s3 = boto3.client("s3", **KW)
    cf = boto3.client("cloudfront", **KW)
    if cmd == "create-bucket":
        s3.create_bucket(Bucket=args[0])
        return {"bucket": args[0]}
    if cmd == "public-read":
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                  "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{args[0]}/*"}]}
        s3.put_bucket_policy(Bucket=args[0], Policy=json.dumps(policy))
        return {"bucket": args[0]}
    if cmd == "create-distribution":
        origin = f"{args[0]}.s3.amazonaws.com"
        d = cf.create_distribution(
            DistributionConfig={
                "CallerReference": args[0],
                "Comment": "shipdeck test",
                "Enabled": True,
                "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": origin, "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
                "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https", "MinTTL": 0,
                                         "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}, "TrustedSigners": {"Enabled": False, "Quantity": 0}},
            }
        )
        return {"id": d["Distribution"]["Id"]}
    if cmd == "objects":
        out = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=args[0], Prefix=args[1]):
            for o in page.get("Contents", []):
                h = s3.head_object(Bucket=args[0], Key=o["Key"])
                out.append({"key": o["Key"], "size": o["Size"], "etag": h["ETag"].strip('"'),
                            "cache_control": h.get("CacheControl"), "content_type": h.get("ContentType"),
                            "last_modified": o["LastModified"].isoformat()})
        return out
    if cmd == "get":
        return json.loads(s3.get_object(Bucket=args[0], Key=args[1])["Body"].read())
    if cmd == "invalidations":
        out = []
        for summary in cf.list_invalidations(DistributionId=args[0])["InvalidationList"].get("Items", []):
            inv = cf.get_invalidation(DistributionId=args[0], Id=summary["Id"])["Invalidation"]
            out.append({"id": inv["Id"], "status": inv["Status"], "paths": inv["InvalidationBatch"]["Paths"].get("Items", [])})
        return out
    if cmd == "put":
        s3.put_object(Bucket=args[0], Key=args[1], Body=args[2].encode())
        return {"key": args[1]}
    if cmd == "edge-setup":
        name = args[0]
        stores = cf.list_key_value_stores()["KeyValueStoreList"].get("Items", [])
        arn = next((k["ARN"] for k in stores if k["Name"] == name), None)
        functions = {}
        listed = cf.list_functions()["FunctionList"].get("Items", [])
        for f in listed:
            if f["Name"] in (f"{name}-request", f"{name}-response"):
                kvs = f["FunctionConfig"].get("KeyValueStoreAssociations", {}).get("Items", [])
                code = cf.get_function(Name=f["Name"])["FunctionCode"].read().decode()
                functions[f["Name"]] = {"code": code, "stage": f["FunctionMetadata"]["Stage"],
                                        "runtime": f["FunctionConfig"]["Runtime"],
                                        "kvs": [k["KeyValueStoreARN"] for k in kvs]}
        return {"kvs_arn": arn, "functions": functions}
    raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
