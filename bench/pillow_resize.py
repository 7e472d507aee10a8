"""The exercise's function in Python with Pillow, timed the way the Go
benchmark times lambdalab's resize handler: per image, the work without S3
(open the JPEG, resize it to 300x300, save it as PNG).

    usage: python3 bench/pillow_resize.py RUNS OUTDIR PHOTO...

Prints one JSON object: for each photo its median and all times in
milliseconds; writes each photo's thumbnail to OUTDIR (for the quality
comparison)."""

import io
import json
import os
import statistics
import sys
import time

from PIL import Image

SIZE = (300, 300)


def resize_image(data: bytes) -> bytes:
    """What the classic Lambda function does with the object it fetched."""
    with Image.open(io.BytesIO(data)) as image:
        thumb = image.convert("RGB").resize(SIZE)  # bicubic, Pillow's default
        out = io.BytesIO()
        thumb.save(out, "PNG")
        return out.getvalue()


def main() -> None:
    runs, outdir, photos = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    os.makedirs(outdir, exist_ok=True)
    report = {"pillow": Image.__version__, "photos": {}}
    for path in photos:
        with open(path, "rb") as f:
            data = f.read()
        png = resize_image(data)  # warm up
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            png = resize_image(data)
            times.append((time.perf_counter() - start) * 1000)
        name = os.path.basename(path)
        with open(os.path.join(outdir, name + ".png"), "wb") as f:
            f.write(png)
        report["photos"][name] = {"median_ms": statistics.median(times), "times_ms": times}
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
