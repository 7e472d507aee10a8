import os

BUCKET = os.environ['BUCKET']


def lambda_handler(event, context):
    return BUCKET
