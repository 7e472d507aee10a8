"""A stand-in for an old botocore (no endpoint variables, no recursion detection)."""
