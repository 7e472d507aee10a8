"""Init and the invocation loop: resolve the handler (reporting Lambda's
init errors), then GET next, call the handler, POST its result or error,
for as long as the process lives.

An init error is logged (a LAMBDA_WARNING line, then the [ERROR] record),
POSTed to /runtime/init/error, and the process exits with status 1: it never
asks for an event. That is awslambdaric's order since 4.0 (2025); Lambda
then reports the error on the invocation that was waiting."""

import importlib
import json
import logging
import os
import sys
import traceback

from . import api, context, logs, marshal
from .faults import FaultException

UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue "
    "in the function code. However, in rare cases, a Lambda runtime update "
    "can cause unexpected function behavior. For functions using managed "
    "runtimes, runtime updates can be triggered by a function change, or can "
    "be applied automatically. To determine if the runtime has been updated, "
    "check the runtime version in the INIT_START log entry. If this error "
    "correlates with a change in the runtime version, you may be able to "
    "mitigate this error by temporarily rolling back to the previous runtime "
    "version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r")

_OWN_DIR = os.path.dirname(os.path.abspath(__file__))
_BOOTSTRAP = os.path.join(os.path.dirname(_OWN_DIR), "bootstrap.py")


def get_handler(handler):
    """Imports module.function (split at the last dot; slashes in the module
    part name packages) and returns the function, or raises Lambda's
    Runtime.* fault."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as exc:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME,
                             "Bad handler '%s': %s" % (handler, exc))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module %s as a handler module" % modname)
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as exc:
        raise FaultException(FaultException.IMPORT_MODULE_ERROR,
                             "Unable to import module '%s': %s" % (modname, exc))
    except SyntaxError as exc:
        trace = ['  File "%s" Line %s\n    %s'
                 % (exc.filename, exc.lineno, exc.text)]
        raise FaultException(FaultException.USER_CODE_SYNTAX_ERROR,
                             "Syntax error in module '%s': %s" % (modname, exc),
                             trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException(FaultException.HANDLER_NOT_FOUND,
                             "Handler '%s' missing on module '%s'"
                             % (fname, modname))


def make_error(message, error_type, stack_trace, request_id=None):
    """The error record Lambda returns and logs."""
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace or [],
    }


def user_frames(tb):
    """The traceback without the runtime's own frames at its top, so that it
    starts where the runtime called into the function's code."""
    frames = [(f.filename, f.lineno, f.name, f.line)
              for f in traceback.extract_tb(tb)]
    for i, frame in enumerate(frames):
        if not _is_own(frame[0]):
            return frames[i:]
    return frames


def _is_own(filename):
    return filename == _BOOTSTRAP or filename.startswith(_OWN_DIR + os.sep)


def xray_cause(error_type, message, frames):
    """The X-Ray error cause header's JSON."""
    stack = [{"label": name, "path": path, "line": line}
             for path, line, name, _ in frames]
    cause = {"working_directory": os.getcwd(),
             "exceptions": [{"message": message, "type": error_type,
                             "stack": stack}],
             "paths": sorted({f[0] for f in frames})}
    # ASCII, so that it fits an HTTP header whatever the message says.
    return json.dumps(cause, ensure_ascii=True, default=str)


def _fault_result(exc_info):
    etype, value, tb = exc_info
    frames = user_frames(tb)
    return make_error(str(value), etype.__name__,
                      traceback.format_list(frames))


def flush_streams():
    """Pushes out whatever the function wrote before the process leaves."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _init(handler_name, client, sink):
    error = None
    try:
        logs.setup(sink)
        return get_handler(handler_name)
    except FaultException as exc:
        error = make_error(exc.msg, exc.exception_type, exc.trace)
    except Exception:
        error = _fault_result(sys.exc_info())
    logging.warning(UNHANDLED_WARNING)
    logs.log_error(error, sink, marshal.to_json)
    client.post_init_error(marshal.to_json(error), error["errorType"])
    flush_streams()
    sys.exit(1)


def handle(client, handler, inv, sink):
    """Runs one invocation and posts its outcome."""
    error = None
    try:
        ctx = context.create(inv)
        event = marshal.unmarshal(inv.body, inv.content_type)
        result = handler(event, ctx)
        body, content_type = marshal.marshal(result)
    except FaultException as exc:
        cause = xray_cause("LambdaValidationError", exc.msg, [])
        error = make_error(exc.msg, exc.exception_type, exc.trace,
                           inv.request_id)
    except Exception:
        etype, value, tb = sys.exc_info()
        frames = user_frames(tb)
        cause = xray_cause(etype.__name__, str(value), frames)
        error = make_error(str(value), etype.__name__,
                           traceback.format_list(frames), inv.request_id)
        del tb
    if error is None:
        client.post_response(inv.request_id, body, content_type)
        return
    logs.log_error(error, sink, marshal.to_json)
    client.post_error(inv.request_id, marshal.to_json(error),
                      error["errorType"], cause)


def _set_trace_id(trace_id):
    # boto3 reads this to send X-Amzn-Trace-Id (recursion detection).
    if trace_id is not None:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)


def run(handler_name, address):
    """Init, then invocations until the process is stopped."""
    sys.stdout = logs.Unbuffered(sys.stdout)
    sys.stderr = logs.Unbuffered(sys.stderr)
    client = api.RuntimeAPI(address)
    sink = logs.create_sink()
    handler = _init(handler_name, client, sink)
    while True:
        inv = client.next()
        logs.request_id = inv.request_id
        logs.tenant_id = inv.tenant_id
        _set_trace_id(inv.trace_id)
        handle(client, handler, inv, sink)
