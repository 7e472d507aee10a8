"""Events in and results out, as JSON the way Lambda's Python runtime writes
it: NaN allowed, Decimals as numbers, and (python3.12 and later) non-ASCII
characters kept rather than escaped."""

import decimal
import json
import math
import os
import re

from .faults import FaultException


def _keeps_unicode():
    # AWS changed ensure_ascii for the python3.12 runtime and later.
    m = re.match(r"AWS_Lambda_python3\.(\d+)$",
                 os.environ.get("AWS_EXECUTION_ENV", ""))
    return bool(m) and int(m.group(1)) >= 12


class Encoder(json.JSONEncoder):
    """JSON for results and error records."""

    def __init__(self):
        super().__init__(ensure_ascii=not _keeps_unicode(), allow_nan=True)

    def default(self, o):
        if isinstance(o, decimal.Decimal):
            # AWS writes a Decimal's own digits; the nearest int or float is
            # the same number for everything but very long decimals.
            if o.is_nan():
                return math.nan
            if o == o.to_integral_value() and o.as_tuple().exponent >= 0:
                return int(o)
            return float(o)
        return super().default(o)


def to_json(obj):
    """Encodes obj (an error record or the like) as Lambda would."""
    return Encoder().encode(obj)


def unmarshal(body, content_type):
    """The event: parsed JSON, or the raw bytes for another content type."""
    if content_type not in (None, "application/json"):
        return body
    try:
        return json.loads(body)
    except Exception as exc:
        raise FaultException(FaultException.UNMARSHAL_ERROR,
                             "Unable to unmarshal input: %s" % exc)


def marshal(response):
    """The handler's result as (body bytes, content type)."""
    if isinstance(response, bytes):
        return response, "application/unknown"
    try:
        return Encoder().encode(response).encode("utf-8"), "application/json"
    except Exception as exc:
        raise FaultException(FaultException.MARSHAL_ERROR,
                             "Unable to marshal response: %s" % exc)
