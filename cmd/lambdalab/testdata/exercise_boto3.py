"""The exercise from scratch with boto3, against `lambdalab serve --lab empty`.

usage: python3 exercise_boto3.py ENDPOINT DIR

DIR holds the student's files (trust.json, policy.json, notification.json,
event.json, function.zip, pillow.zip, lambda.png). Where the script must wait
for the lab (an invocation to end), it prints "WAIT what" and reads a line
from stdin: the test answers once serve has printed it. It ends with one line,
"RESULT {json}", of what it found.
"""
import base64
import json
import os
import sys

import boto3
from botocore.config import Config

endpoint, folder = sys.argv[1], sys.argv[2]
session = boto3.session.Session(
    aws_access_key_id="student", aws_secret_access_key="student", region_name="us-east-1"
)
config = Config(retries={"max_attempts": 1})
s3, iam, awslambda, logs = (
    session.client(name, endpoint_url=endpoint, config=config) for name in ("s3", "iam", "lambda", "logs")
)
FUNCTION = "cis-exercise-demo"


def read(name, mode="r"):
    with open(os.path.join(folder, name), mode) as f:
        return f.read()


def wait_for(what):
    print("WAIT " + what, flush=True)
    sys.stdin.readline()


out = {}
s3.create_bucket(Bucket="cis-examples")
s3.create_bucket(Bucket="cis-examples-output")
role = iam.create_role(RoleName="lambda-s3-role", AssumeRolePolicyDocument=read("trust.json"))["Role"]
iam.put_role_policy(RoleName="lambda-s3-role", PolicyName="exercise", PolicyDocument=read("policy.json"))
awslambda.create_function(
    FunctionName=FUNCTION,
    Runtime="python3.12",
    Handler="lambda_function.lambda_handler",
    Role=role["Arn"],
    Code={"ZipFile": read("function.zip", "rb")},
)
awslambda.get_waiter("function_active_v2").wait(FunctionName=FUNCTION, WaiterConfig={"Delay": 1, "MaxAttempts": 600})
awslambda.add_permission(
    FunctionName=FUNCTION,
    StatementId="s3invoke",
    Action="lambda:InvokeFunction",
    Principal="s3.amazonaws.com",
    SourceArn="arn:aws:s3:::cis-examples",
    SourceAccount="000000000000",
)
s3.put_bucket_notification_configuration(
    Bucket="cis-examples", NotificationConfiguration=json.loads(read("notification.json"))
)

s3.upload_file(os.path.join(folder, "lambda.png"), "cis-examples", "lambda.png")
wait_for("invocation")
events = logs.filter_log_events(logGroupName="/aws/lambda/" + FUNCTION)["events"]
out["logs"] = [e["message"] for e in events]

layer = awslambda.publish_layer_version(
    LayerName="pillow", Content={"ZipFile": read("pillow.zip", "rb")}, CompatibleRuntimes=["python3.12"]
)
out["layer_arn"] = layer["LayerVersionArn"]
awslambda.update_function_configuration(FunctionName=FUNCTION, Layers=[layer["LayerVersionArn"]])
awslambda.get_waiter("function_updated_v2").wait(FunctionName=FUNCTION, WaiterConfig={"Delay": 1, "MaxAttempts": 600})
s3.upload_file(os.path.join(folder, "lambda.png"), "cis-examples", "lambda.png")
wait_for("thumbnail")

r = awslambda.invoke(FunctionName=FUNCTION, Payload=read("event.json", "rb"), LogType="Tail")
out["status"] = r["StatusCode"]
out["function_error"] = r.get("FunctionError", "")
out["payload"] = r["Payload"].read().decode()
out["tail"] = base64.b64decode(r["LogResult"]).decode()
print("RESULT " + json.dumps(out), flush=True)
