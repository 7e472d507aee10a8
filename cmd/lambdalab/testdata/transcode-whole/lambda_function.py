"""whole: the transcode lab's encode without the fan-out, for the
benchmark: one invocation re-encodes the whole upload (whole/NAME.mp4) with
the same ffmpeg settings into output-whole/NAME.mp4."""
import os
import subprocess
import tempfile
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client('s3')


def lambda_handler(event, context):
    for record in event['Records']:
        bucket = record['s3']['bucket']['name']
        key = unquote_plus(record['s3']['object']['key'])
        name = key[len('whole/'):]
        with tempfile.TemporaryDirectory() as tmp:
            source, encoded = os.path.join(tmp, 'source.mp4'), os.path.join(tmp, 'encoded.mp4')
            s3.download_file(bucket, key, source)
            done = subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', '-i', source, '-map', '0',
                                   '-c:v', 'libx264', '-preset', os.environ.get('PRESET', 'veryfast'),
                                   '-crf', os.environ.get('CRF', '28'), '-vf', 'scale=-2:%s' % os.environ.get('HEIGHT', '360'),
                                   '-c:a', 'copy', '-movflags', '+faststart', encoded], capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError('ffmpeg failed: ' + done.stderr[-2000:])
            s3.upload_file(encoded, bucket, 'output-whole/' + name, ExtraArgs={'ContentType': 'video/mp4'})
        print('transcoded %s in one invocation into output-whole/%s' % (key, name))
