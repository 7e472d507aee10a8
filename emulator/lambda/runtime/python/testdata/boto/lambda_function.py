import boto3


def lambda_handler(event, context):
    return {
        "s3": boto3.client("s3").meta.endpoint_url,
        "sqs": boto3.client("sqs").meta.endpoint_url,
        "explicit": boto3.client("s3", endpoint_url="http://127.0.0.1:9").meta.endpoint_url,
        "resource": boto3.resource("s3").meta.client.meta.endpoint_url,
    }
