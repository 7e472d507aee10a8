"""boto3 against a lab: put_object, upload_file (multipart), list_objects_v2
paging over 2,500 keys, delete_objects, an empty object. Prints one JSON
line of findings.

usage: python3 boto3_compat.py ENDPOINT BUCKET
"""
import json
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

endpoint, bucket = sys.argv[1], sys.argv[2]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="boto",
    aws_secret_access_key="boto",
    config=Config(max_pool_connections=32, retries={"max_attempts": 1}),
)
out = {}

s3.create_bucket(Bucket=bucket)
r = s3.put_object(Bucket=bucket, Key="hello.txt", Body=b"hello from boto3", ContentType="text/plain")
out["put_etag"] = r["ETag"]
out["get_body"] = s3.get_object(Bucket=bucket, Key="hello.txt")["Body"].read().decode()

with tempfile.NamedTemporaryFile(delete=False) as f:
    f.write(os.urandom(12 * 1024 * 1024))
    big = f.name
s3.upload_file(big, bucket, "big.bin", Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
head = s3.head_object(Bucket=bucket, Key="big.bin")
out["big_size"] = head["ContentLength"]
out["big_etag"] = head["ETag"]
os.unlink(big)

keys = ["many/%04d.txt" % i for i in range(2500)]
with ThreadPoolExecutor(16) as pool:
    list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=k.encode()), keys))

listed, pages = [], 0
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="many/"):
    pages += 1
    listed += [o["Key"] for o in page.get("Contents", [])]
out["listed"] = len(listed)
out["listed_unique"] = len(set(listed))
out["pages"] = pages

deleted = 0
for i in range(0, len(keys), 1000):
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]]})
    deleted += len(r.get("Deleted", []))
out["deleted"] = deleted
out["left"] = s3.list_objects_v2(Bucket=bucket, Prefix="many/")["KeyCount"]

# An empty object, then another request on the same connection (one
# connection, no retries): a server that answers an empty body's Expect:
# 100-continue without the 100 left botocore waiting for its read timeout,
# then sending the next request again, which the test counts. (The
# timeout is botocore's default minute: a shorter one could expire on a
# loaded machine and resend the request for another reason.)
one = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="boto",
    aws_secret_access_key="boto",
    config=Config(max_pool_connections=1, read_timeout=60, retries={"max_attempts": 1}),
)
one.put_object(Bucket=bucket, Key="empty.txt", Body=b"")
one.put_object(Bucket=bucket, Key="after-empty.txt", Body=b"after")
out["empty_size"] = one.head_object(Bucket=bucket, Key="empty.txt")["ContentLength"]

try:
    s3.get_object(Bucket=bucket, Key="nope")
except s3.exceptions.NoSuchKey as e:
    out["nosuchkey"] = e.response["Error"]["Message"]
print(json.dumps(out))
