"""split: cut an uploaded video into chunks at its keyframes, without
re-encoding, and write the manifest that says which chunks make the video.

Triggered by an object created under uploads/ (suffix .mp4). For
uploads/clip.mp4 it writes chunks/clip/manifest.json first (every encode
reads it), then chunks/clip/000.mp4, 001.mp4, ...: each chunk's PUT
triggers one encode, so the fan-out starts while the split is still
uploading.
"""
import json
import os
import subprocess
import tempfile
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client('s3')

# The chunk length: ffmpeg cuts at the first keyframe at or after each
# multiple of it, so a 20 s video with a keyframe every second gives 10
# chunks of 2 s. Fewer, longer chunks: fewer invocations, less parallelism.
SEGMENT_SECONDS = os.environ.get('SEGMENT_SECONDS', '2')


def video_name(key):
    """uploads/holiday/clip.mp4 -> holiday/clip"""
    name = key[len('uploads/'):] if key.startswith('uploads/') else key
    return os.path.splitext(name)[0]


def ffmpeg(*args):
    # ffmpeg comes from the layer: Lambda puts its bin/ on PATH.
    done = subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError('ffmpeg failed: ' + done.stderr.strip()[-2000:])


def remove_previous_run(bucket, video):
    """A video uploaded again starts afresh: the chunks, encodings and
    completion marker of its previous run would count for this one."""
    paginator = s3.get_paginator('list_objects_v2')
    for prefix in ('chunks/%s/' % video, 'encoded/%s/' % video):
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            keys = [{'Key': o['Key']} for o in page.get('Contents', [])]
            if keys:
                s3.delete_objects(Bucket=bucket, Delete={'Objects': keys, 'Quiet': True})


def lambda_handler(event, context):
    for record in event['Records']:
        bucket = record['s3']['bucket']['name']
        key = unquote_plus(record['s3']['object']['key'])
        video = video_name(key)
        remove_previous_run(bucket, video)
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, 'source.mp4')
            s3.download_file(bucket, key, source)
            ffmpeg('-i', source, '-map', '0', '-c', 'copy', '-f', 'segment',
                   '-segment_time', SEGMENT_SECONDS, '-reset_timestamps', '1',
                   os.path.join(tmp, 'chunk-%03d.mp4'))
            names = sorted(n for n in os.listdir(tmp) if n.startswith('chunk-'))
            chunks = ['chunks/%s/%s' % (video, n[len('chunk-'):]) for n in names]
            manifest = {'source': key, 'video': video, 'chunks': chunks,
                        'output': 'output/%s.mp4' % video}
            s3.put_object(Bucket=bucket, Key='chunks/%s/manifest.json' % video,
                          Body=json.dumps(manifest, indent=2), ContentType='application/json')
            for name, chunk in zip(names, chunks):
                s3.upload_file(os.path.join(tmp, name), bucket, chunk,
                               ExtraArgs={'ContentType': 'video/mp4'})
        print('split s3://%s/%s into %d chunks of about %s s' % (bucket, key, len(chunks), SEGMENT_SECONDS))
    return {'chunks': len(chunks)}
