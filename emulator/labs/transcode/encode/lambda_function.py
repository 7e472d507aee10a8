"""encode: re-encode one chunk to a smaller rendition, and when it was the
last chunk of its video to be encoded, hand the video to merge.

Triggered by an object created under chunks/ (suffix .mp4): one invocation
per chunk, all at once. For chunks/clip/003.mp4 it writes
encoded/clip/003.mp4, then checks whether every chunk of the manifest is
encoded. "The last one" is decided by S3, not by this code: the encodes
that find every chunk there try to create encoded/clip/all-encoded.json
with If-None-Match: *, and S3 lets exactly one of them create it. That
object's PUT triggers merge, once per video, however many encodes ran
concurrently, were retried or were delivered twice.
"""
import json
import os
import subprocess
import tempfile
from urllib.parse import unquote_plus

import boto3
from botocore.exceptions import ClientError

s3 = boto3.client('s3')

HEIGHT = os.environ.get('HEIGHT', '360')
CRF = os.environ.get('CRF', '28')
PRESET = os.environ.get('PRESET', 'veryfast')
# FAIL_ONCE=003.mp4 makes the first attempt at that chunk fail, to watch
# Lambda retry it. The fault is remembered in S3, so the retry goes
# through in whichever execution environment it lands.
FAIL_ONCE = os.environ.get('FAIL_ONCE', '')


def _if_none_match(request, **kwargs):
    request.headers['If-None-Match'] = '*'


# A client whose PutObject only creates: S3 answers 412 PreconditionFailed
# when the key exists. (boto3 1.35 and later also take IfNoneMatch='*';
# the header works with every version.)
create_only = boto3.client('s3')
create_only.meta.events.register('before-sign.s3.PutObject', _if_none_match)


def create(bucket, key, body):
    """PutObject if the key does not exist yet; False when it does."""
    for _ in range(5):
        try:
            create_only.put_object(Bucket=bucket, Key=key, Body=body)
            return True
        except ClientError as e:
            code = e.response['Error']['Code']
            if code == 'PreconditionFailed':
                return False
            if code != 'ConditionalRequestConflict':  # a concurrent create: ask again
                raise
    raise RuntimeError('s3://%s/%s: conditional write kept conflicting' % (bucket, key))


def ffmpeg(*args):
    # ffmpeg comes from the layer: Lambda puts its bin/ on PATH.
    done = subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError('ffmpeg failed: ' + done.stderr.strip()[-2000:])


def all_encoded(bucket, manifest):
    """Every chunk of the manifest has its encoding (S3 lists what was
    written before the listing, so the last writer always sees them all)."""
    want = {c.replace('chunks/', 'encoded/', 1) for c in manifest['chunks']}
    have = set()
    paginator = s3.get_paginator('list_objects_v2')
    for page in paginator.paginate(Bucket=bucket, Prefix='encoded/%s/' % manifest['video']):
        have.update(o['Key'] for o in page.get('Contents', []))
    return want <= have


def lambda_handler(event, context):
    for record in event['Records']:
        bucket = record['s3']['bucket']['name']
        key = unquote_plus(record['s3']['object']['key'])
        video, chunk = key[len('chunks/'):].rsplit('/', 1)
        if chunk == FAIL_ONCE and create(bucket, 'encoded/%s/%s.fault' % (video, chunk), b'FAIL_ONCE'):
            raise RuntimeError('FAIL_ONCE=%s: this attempt fails on purpose; Lambda retries the event' % chunk)
        with tempfile.TemporaryDirectory() as tmp:
            source, encoded = os.path.join(tmp, 'chunk.mp4'), os.path.join(tmp, 'encoded.mp4')
            s3.download_file(bucket, key, source)
            ffmpeg('-i', source, '-map', '0', '-c:v', 'libx264', '-preset', PRESET, '-crf', CRF,
                   '-vf', 'scale=-2:%s' % HEIGHT, '-c:a', 'copy', encoded)
            s3.upload_file(encoded, bucket, 'encoded/%s/%s' % (video, chunk),
                           ExtraArgs={'ContentType': 'video/mp4'})
        print('encoded %s to %sp' % (key, HEIGHT))
        manifest = json.loads(s3.get_object(Bucket=bucket, Key='chunks/%s/manifest.json' % video)['Body'].read())
        if not all_encoded(bucket, manifest):
            continue
        if create(bucket, 'encoded/%s/all-encoded.json' % video, json.dumps(manifest, indent=2)):
            print('all %d chunks of %s are encoded: merge is next' % (len(manifest['chunks']), video))
        else:
            print('all chunks of %s are encoded; another encode already handed it to merge' % video)
    return {'encoded': key}
