"""A fan-out and fan-in without ffmpeg, for the pipeline views' tests:
split writes CHUNKS chunk objects, one encode runs per chunk and writes
its result, and the encode that finds every result there creates the
marker that triggers merge (create-only, so exactly one encode does).
FAIL_ONCE names a chunk whose first encode fails; the fault is remembered
in S3, so the retry goes through.
"""
import os
from urllib.parse import unquote_plus

import boto3
from botocore.exceptions import ClientError

s3 = boto3.client('s3')


def _object(event):
    rec = event['Records'][0]['s3']
    return rec['bucket']['name'], unquote_plus(rec['object']['key'])


def split(event, context):
    bucket, key = _object(event)
    video = key.rsplit('/', 1)[-1].rsplit('.', 1)[0]
    n = int(os.environ['CHUNKS'])
    for i in range(n):
        s3.put_object(Bucket=bucket, Key='chunks/%s/%03d.mp4' % (video, i), Body=b'chunk %d of %d' % (i, n))
    return {'chunks': n}


def _create_only(request, **kwargs):
    request.headers['If-None-Match'] = '*'


create_only = boto3.client('s3')
create_only.meta.events.register('before-sign.s3.PutObject', _create_only)


def encode(event, context):
    bucket, key = _object(event)
    _, video, part = key.split('/')
    if part == os.environ.get('FAIL_ONCE'):
        try:
            s3.head_object(Bucket=bucket, Key='failed/' + key)
        except ClientError:
            s3.put_object(Bucket=bucket, Key='failed/' + key, Body=b'failed once')
            raise RuntimeError('failing once on purpose: ' + key)
    s3.put_object(Bucket=bucket, Key='encoded/%s/%s' % (video, part), Body=b'encoded')
    listing = s3.list_objects_v2(Bucket=bucket, Prefix='encoded/%s/' % video)
    done = [o for o in listing.get('Contents', []) if o['Key'].endswith('.mp4')]
    if len(done) < int(os.environ['CHUNKS']):
        return {'done': len(done)}
    try:
        create_only.put_object(Bucket=bucket, Key='encoded/%s/all-encoded.json' % video, Body=b'{}')
    except ClientError as e:
        if e.response['Error']['Code'] != 'PreconditionFailed':
            raise
    return {'done': len(done)}


def merge(event, context):
    bucket, key = _object(event)
    video = key.split('/')[1]
    s3.put_object(Bucket=bucket, Key='output/%s.mp4' % video, Body=b'merged')
    return {'merged': video}
