"""The Runtime API, as a function process sees it: GET next, POST response,
POST error, POST init error, all under /2018-06-01 on AWS_LAMBDA_RUNTIME_API."""

import http.client
import sys

_PREFIX = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
XRAY_CAUSE_HEADER = "Lambda-Runtime-Function-XRay-Error-Cause"
_MAX_XRAY_CAUSE = 1024 * 1024


class RuntimeClientError(Exception):
    """The Runtime API answered with a status the protocol does not allow."""

    def __init__(self, endpoint, code, body):
        super().__init__(
            "Request to Lambda Runtime '%s' endpoint failed. Reason: '%s'. "
            "Response body: '%s'" % (endpoint, code, body))


class Invocation(object):
    """One event from GET next, with the headers the context is built from."""

    __slots__ = ("request_id", "trace_id", "function_arn", "deadline_ms",
                 "client_context", "cognito_identity", "tenant_id",
                 "content_type", "body")

    def __init__(self, headers, body):
        self.request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        if not self.request_id:
            raise ValueError(
                "next invocation has no Lambda-Runtime-Aws-Request-Id header")
        self.trace_id = headers.get("Lambda-Runtime-Trace-Id") or None
        self.function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        deadline = headers.get("Lambda-Runtime-Deadline-Ms")
        self.deadline_ms = int(deadline) if deadline else 0
        self.client_context = headers.get("Lambda-Runtime-Client-Context") or None
        self.cognito_identity = headers.get("Lambda-Runtime-Cognito-Identity") or None
        self.tenant_id = headers.get("Lambda-Runtime-Aws-Tenant-Id") or None
        self.content_type = headers.get("Content-Type") or None
        self.body = body


class RuntimeAPI(object):
    """A keep-alive HTTP/1.1 connection to the Runtime API. GET next has no
    client timeout: it blocks until Lambda has an event for this process."""

    def __init__(self, address):
        if not address:
            raise ValueError("AWS_LAMBDA_RUNTIME_API is not set")
        self.address = address
        self._conn = None
        self._agent = "lambdalab-python/%d.%d.%d" % sys.version_info[:3]

    def _call(self, method, path, expected, body=None, headers=None):
        all_headers = {"User-Agent": self._agent}
        if headers:
            all_headers.update(headers)
        for attempt in (1, 2):
            fresh = self._conn is None
            if fresh:
                self._conn = http.client.HTTPConnection(self.address)
            try:
                self._conn.request(method, path, body=body, headers=all_headers)
                resp = self._conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError):
                self._conn.close()
                self._conn = None
                # A kept-alive connection the server had already closed:
                # nothing was answered, so one retry on a new one is safe.
                if fresh or attempt == 2:
                    raise
                continue
            if resp.status != expected:
                raise RuntimeClientError(path, resp.status, data)
            return resp, data

    def next(self):
        """Waits for the next event."""
        resp, body = self._call("GET", _PREFIX + "/invocation/next", 200)
        return Invocation(resp.headers, body)

    def post_response(self, request_id, body, content_type):
        """Sends the handler's result."""
        self._call("POST", "%s/invocation/%s/response" % (_PREFIX, request_id),
                   202, body, {"Content-Type": content_type})

    def post_error(self, request_id, error_json, error_type, xray_cause):
        """Sends a handler error; the X-Ray cause is dropped when too large
        for a header, as awslambdaric drops it."""
        headers = _error_headers(error_type)
        if len(xray_cause) < _MAX_XRAY_CAUSE:
            headers[XRAY_CAUSE_HEADER] = xray_cause
        self._call("POST", "%s/invocation/%s/error" % (_PREFIX, request_id),
                   202, error_json.encode("utf-8"), headers)

    def post_init_error(self, error_json, error_type):
        """Reports an error that kept the function from starting."""
        self._call("POST", _PREFIX + "/init/error", 202,
                   error_json.encode("utf-8"), _error_headers(error_type))


def _error_headers(error_type):
    headers = {"Content-Type": "application/json"}
    try:
        # HTTP header values are Latin-1; an exception class named in other
        # letters still reaches Lambda through the body's errorType.
        error_type.encode("latin-1")
        headers[ERROR_TYPE_HEADER] = error_type
    except UnicodeEncodeError:
        pass
    return headers
