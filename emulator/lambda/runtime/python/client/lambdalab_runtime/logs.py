"""The function's log: unbuffered stdout, the root logger's Lambda format
(Text or JSON, AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL), and the
"[ERROR] Type: message" record of an unhandled error.

Two sinks, as in Lambda's Python runtime: stdout (the default here; a
multi-line error is one line whose parts are joined by CR, so that whoever
splits stdout on LF keeps it one log event) or, when
_LAMBDA_TELEMETRY_LOG_FD names a file descriptor, Lambda's framed telemetry
protocol (4-byte type, 4-byte length, 8-byte microsecond timestamp, message;
big-endian), where a multi-line error is one LF-joined frame."""

import json
import logging
import os
import sys
import threading
import time
import traceback

TEXT_FORMAT = ("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t"
               "%(aws_request_id)s\t%(message)s\n")
TEXT_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
JSON_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
ERROR_LINE_JOIN = "\r"
TRACE_INDENT = "\u00a0"  # leading spaces of traceback lines become NBSPs

# Frame types of Lambda's telemetry log protocol, per format and level.
_FRAME_TYPES = {
    # level: (text, JSON)
    logging.NOTSET: (0xA55A0003, 0xA55A0002),
    logging.DEBUG: (0xA55A000B, 0xA55A000A),
    logging.INFO: (0xA55A000F, 0xA55A000E),
    logging.WARNING: (0xA55A0013, 0xA55A0012),
    logging.ERROR: (0xA55A0017, 0xA55A0016),
    logging.CRITICAL: (0xA55A001B, 0xA55A001A),
}
TEXT_FRAMES = {lvl: t.to_bytes(4, "big") for lvl, (t, _) in _FRAME_TYPES.items()}
JSON_FRAMES = {lvl: j.to_bytes(4, "big") for lvl, (_, j) in _FRAME_TYPES.items()}

# The invocation being handled, stamped on every log record.
request_id = None
tenant_id = None


def is_json():
    """Whether AWS_LAMBDA_LOG_FORMAT asks for JSON logs."""
    return (os.environ.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"


def level_from_env():
    """AWS_LAMBDA_LOG_LEVEL as a logging level name ("" when unset); TRACE
    has no Python level and means DEBUG."""
    value = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    return {None: "", "TRACE": "DEBUG"}.get(value, value).upper()


class Unbuffered(object):
    """A stream that flushes every write, so each line of the function's
    output has left the process before its result is posted."""

    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        n = self.stream.write(msg)
        self.stream.flush()
        return n

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


class StdoutSink(object):
    """Log records on stdout."""

    def log(self, msg, frame_type=None):
        sys.stdout.write(msg)

    def log_error(self, lines):
        sys.stdout.write(ERROR_LINE_JOIN.join(lines) + "\n")


class FramedSink(object):
    """Log records as telemetry frames on a file descriptor."""

    def __init__(self, fd, error_frame):
        self._file = os.fdopen(fd, "wb", 0)
        self._lock = threading.Lock()
        self._error_frame = error_frame

    def log(self, msg, frame_type=None):
        data = msg.encode("utf-8")
        header = ((frame_type or TEXT_FRAMES[logging.NOTSET])
                  + len(data).to_bytes(4, "big")
                  + (time.time_ns() // 1000).to_bytes(8, "big"))
        with self._lock:
            self._file.write(header + data)

    def log_error(self, lines):
        self.log("\n".join(lines), self._error_frame)


def create_sink():
    """The telemetry sink when Lambda handed us a descriptor, else stdout.
    The variable is removed so the function's own children do not write
    frames."""
    fd = os.environ.pop("_LAMBDA_TELEMETRY_LOG_FD", None)
    if fd is None:
        return StdoutSink()
    frames = JSON_FRAMES if is_json() else TEXT_FRAMES
    return FramedSink(int(fd), frames[logging.ERROR])


def _bucket(record):
    return min(50, max(0, record.levelno)) // 10 * 10


class SinkHandler(logging.Handler):
    """The root logger's handler; with a log level or JSON configured each
    record's frame type follows its level."""

    def __init__(self, sink, typed):
        super().__init__()
        self.log_sink = sink
        self._typed = typed

    def emit(self, record):
        msg = self.format(record)
        frame = None
        if self._typed:
            frame = (getattr(record, "_frame_type", None)
                     or TEXT_FRAMES.get(_bucket(record)))
        self.log_sink.log(msg, frame)


class _RequestFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = request_id or ""
        record.tenant_id = tenant_id
        return True


_RESERVED = frozenset((
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename",
    "module", "exc_info", "exc_text", "stack_info", "lineno", "funcName",
    "created", "msecs", "relativeCreated", "thread", "threadName",
    "processName", "process", "aws_request_id", "tenant_id", "_frame_type",
    "taskName"))


class JsonFormatter(logging.Formatter):
    """Lambda's JSON log record: timestamp, level, message, logger,
    requestId, the exception if any, and the record's extra fields."""

    def __init__(self):
        super().__init__(datefmt=JSON_TIME_FORMAT)

    def format(self, record):
        record.levelno = _bucket(record)
        record.levelname = logging.getLevelName(record.levelno)
        record._frame_type = JSON_FRAMES.get(record.levelno,
                                             JSON_FRAMES[logging.NOTSET])
        exc = record.exc_info
        out = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": ("%s:%s:%s" % (record.pathname, record.funcName,
                                       record.lineno) if exc else None),
        }
        if getattr(record, "tenant_id", None) is not None:
            out["tenantId"] = record.tenant_id
        for key, value in record.__dict__.items():
            if key not in _RESERVED and key not in out:
                out[key] = value
        out = {k: v for k, v in out.items() if v is not None}
        return json.dumps(out, ensure_ascii=False, default=str) + "\n"


def setup(sink):
    """Configures the root logger the way Lambda's runtime does."""
    logging.Formatter.converter = time.gmtime
    level = level_from_env()
    handler = SinkHandler(sink, is_json() or bool(level))
    if is_json():
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT, TEXT_DATE_FORMAT))
    root = logging.getLogger()
    if level in logging._nameToLevel:
        root.setLevel(level)
    handler.addFilter(_RequestFilter())
    root.addHandler(handler)


def _indent(line):
    n = len(line) - len(line.lstrip(" "))
    return TRACE_INDENT * n + line[n:]


def error_lines(error):
    """The text record of an unhandled error: "[ERROR] Type: message", then
    the traceback with its indentation in NBSPs."""
    head = "[ERROR]"
    if error.get("errorType"):
        head += " " + error["errorType"]
    if error.get("errorMessage"):
        if error.get("errorType"):
            head += ":"
        head += " " + error["errorMessage"]
    lines = [head]
    trace = error.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            if element == "":
                lines.append("")
                continue
            lines.extend(_indent(line) for line in element.splitlines())
    return lines


def log_error(error, sink, to_json):
    """Writes an unhandled error's record to the log."""
    if is_json():
        stamp = time.strftime(JSON_TIME_FORMAT,
                              logging.Formatter.converter(time.time()))
        record = {"timestamp": stamp, "log_level": "ERROR"}
        record.update(error)
        sink.log_error([to_json(record)])
    else:
        sink.log_error(error_lines(error))
