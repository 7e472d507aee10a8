"""merge: join the encoded chunks of a video, in the manifest's order,
into one file, without re-encoding.

Triggered by encoded/<video>/all-encoded.json, which exactly one encode
creates when the last chunk is done; the object is the manifest. For
uploads/clip.mp4 the result is output/clip.mp4.
"""
import json
import os
import subprocess
import tempfile
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client('s3')


def ffmpeg(*args):
    # ffmpeg comes from the layer: Lambda puts its bin/ on PATH.
    done = subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError('ffmpeg failed: ' + done.stderr.strip()[-2000:])


def lambda_handler(event, context):
    for record in event['Records']:
        bucket = record['s3']['bucket']['name']
        key = unquote_plus(record['s3']['object']['key'])
        manifest = json.loads(s3.get_object(Bucket=bucket, Key=key)['Body'].read())
        with tempfile.TemporaryDirectory() as tmp:
            listing = os.path.join(tmp, 'chunks.txt')
            with open(listing, 'w') as f:
                for i, chunk in enumerate(manifest['chunks']):
                    part = os.path.join(tmp, '%05d.mp4' % i)
                    s3.download_file(bucket, chunk.replace('chunks/', 'encoded/', 1), part)
                    f.write("file '%s'\n" % part)
            joined = os.path.join(tmp, 'joined.mp4')
            # the concat demuxer with -c copy: the packets as they are
            ffmpeg('-f', 'concat', '-safe', '0', '-i', listing, '-map', '0', '-c', 'copy',
                   '-movflags', '+faststart', joined)
            s3.upload_file(joined, bucket, manifest['output'], ExtraArgs={'ContentType': 'video/mp4'})
        print('merged %d chunks of %s into s3://%s/%s' % (len(manifest['chunks']), manifest['source'], bucket, manifest['output']))
    return {'output': manifest['output']}
