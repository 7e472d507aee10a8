#!/usr/bin/python3
"""Writes the JPEG fixtures of jpegscale's tests: kinds of file that Go's
encoder cannot write. Run once from this directory with Debian's python3-pil
and libjpeg-turbo-progs (cjpeg); the outputs are committed.

    /usr/bin/python3 gen.py
"""
import math
import subprocess

from PIL import Image


def photo(w, h):
    """A small photo-like picture: gradients, hard edges, fine stripes."""
    im = Image.new("RGB", (w, h))
    px = []
    for y in range(h):
        for x in range(w):
            fx, fy = x / w, y / h
            r = 128 + 100 * math.sin(6 * fx + 3 * fy)
            g = 128 + 90 * math.cos(5 * fy - 2 * fx)
            b = 128 + 60 * math.sin(40 * fx * fy)
            if (x // max(1, w // 6) + y // max(1, h // 4)) % 2 == 0:
                r, g = g, r
            s = 30 * math.sin(x * 0.7)
            n = ((x * 7919 + y * 104729) % 21) - 10  # deterministic "noise"
            px.append(tuple(max(0, min(255, round(v))) for v in (r + s + n, g + n, b - s + n)))
    im.putdata(px)
    return im


small = photo(45, 31)
big = photo(203, 151)

# Pillow: subsampling 0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0.
small.save("p444.jpg", quality=90, subsampling=0)
small.save("p422.jpg", quality=90, subsampling=1)
small.save("p420_optimized.jpg", quality=90, subsampling=2, optimize=True)
small.save("progressive.jpg", quality=90, progressive=True)
small.convert("CMYK").save("cmyk.jpg", quality=90)

# cjpeg for what Pillow 9.4 cannot write: 4:4:0, restart intervals,
# arithmetic coding, RGB, 4:1:1, 16-bit quantization tables (SOF1), several
# scans.
small.save("/tmp/jpegscale_small.ppm")
big.save("/tmp/jpegscale_big.ppm")
big.convert("L").save("/tmp/jpegscale_big.pgm")


def cjpeg(out, src, *args):
    subprocess.run(["cjpeg", "-quality", "90", *args, "-outfile", out, src], check=True)


cjpeg("p440.jpg", "/tmp/jpegscale_small.ppm", "-sample", "1x2")
cjpeg("restart_rows.jpg", "/tmp/jpegscale_big.ppm", "-restart", "1")
cjpeg("restart_blocks.jpg", "/tmp/jpegscale_big.ppm", "-restart", "3B", "-sample", "2x1")
cjpeg("restart_small.jpg", "/tmp/jpegscale_small.ppm", "-restart", "2B")
cjpeg("gray_restart.jpg", "/tmp/jpegscale_big.pgm", "-restart", "5B")
cjpeg("arithmetic.jpg", "/tmp/jpegscale_small.ppm", "-arithmetic")
cjpeg("rgb.jpg", "/tmp/jpegscale_small.ppm", "-rgb")
cjpeg("s411.jpg", "/tmp/jpegscale_small.ppm", "-sample", "4x1")
subprocess.run(["cjpeg", "-quality", "2", "-outfile", "sof1_q16.jpg", "/tmp/jpegscale_small.ppm"], check=True)
# A sequential image in three non-interleaved scans, one per component.
with open("/tmp/jpegscale_scans.txt", "w") as f:
    f.write("0;\n1;\n2;\n")
cjpeg("multiscan.jpg", "/tmp/jpegscale_small.ppm", "-scans", "/tmp/jpegscale_scans.txt")
