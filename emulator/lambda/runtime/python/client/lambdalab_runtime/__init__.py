"""lambdalab's Python runtime client (see ../bootstrap.py)."""
