import os

import botocore.session

CASES = [
    ("s3", ("s3",), {}),
    ("sqs", ("sqs",), {}),
    ("by keyword", (), {"service_name": "s3"}),
    ("positional", ("s3", None, None, True, None, "http://given:1"), {}),
    ("explicit", ("s3",), {"endpoint_url": "http://given:2"}),
]


def lambda_handler(event, context):
    session = botocore.session.Session()
    out = {}
    for name, args, kwargs in CASES:
        out[name] = call(session.create_client(*args, **kwargs))
    os.environ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
    out["ignored"] = call(session.create_client("s3"))
    del os.environ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]
    return out


def call(client):
    headers = {}
    for event_name, handler in client.meta.events.handlers:
        if event_name == "before-call":
            handler(params={"headers": headers})
    return [client.meta.endpoint_url, headers.get("X-Amzn-Trace-Id")]
