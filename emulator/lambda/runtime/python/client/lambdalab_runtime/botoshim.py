"""Makes an older botocore behave like the one in Lambda's runtime, for the
two things lambdalab relies on, without the function's code changing:

- AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> choose the endpoint
  (botocore 1.31 and later do this themselves; Debian 12 ships 1.29);
- X-Amzn-Trace-Id carries _X_AMZN_TRACE_ID on every call from a Lambda
  function (botocore's recursion detection, 1.27 and later).

Nothing is imported up front: a meta-path finder waits for the function to
import botocore.session and patches it only if it lacks the feature, so a
function that never uses boto3 pays nothing, and a newer boto3 from a layer
or the task root is left as it is."""

import os
import sys

_TARGET = "botocore.session"


class _Finder(object):
    def find_spec(self, fullname, path, target=None):
        if fullname != _TARGET:
            return None
        import importlib.machinery
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader)
        return spec


class _PatchingLoader(object):
    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, attr):
        return getattr(self._loader, attr)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        patch(module)


def install():
    """Watches for botocore.session (once per process)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def configured_endpoint(service_name, environ=None):
    """The endpoint the environment configures for a service, or None."""
    env = os.environ if environ is None else environ
    if (env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") or "").lower() == "true":
        return None
    service = service_name.replace("-", "_").upper()
    return (env.get("AWS_ENDPOINT_URL_" + service)
            or env.get("AWS_ENDPOINT_URL") or None)


def _add_trace_header(params, **kwargs):
    trace_id = os.environ.get("_X_AMZN_TRACE_ID")
    if "AWS_LAMBDA_FUNCTION_NAME" in os.environ and trace_id:
        headers = params["headers"]
        if "X-Amzn-Trace-Id" not in headers:
            from urllib.parse import quote
            headers["X-Amzn-Trace-Id"] = quote(trace_id,
                                               safe="-=;:+&[]{}\"',")


# Where endpoint_url sits among create_client's positional arguments
# (service_name, region_name, api_version, use_ssl, verify, endpoint_url).
_ENDPOINT_ARG = 5


def patch(session_module):
    """Adds what this botocore lacks to Session.create_client."""
    import botocore.configprovider
    import botocore.handlers
    needs_endpoint = not hasattr(botocore.configprovider,
                                 "ConfiguredEndpointProvider")
    needs_trace = not hasattr(botocore.handlers,
                              "add_recursion_detection_header")
    if not (needs_endpoint or needs_trace):
        return
    original = session_module.Session.create_client

    def create_client(self, *args, **kwargs):
        if needs_endpoint:
            args, kwargs = _with_endpoint(args, kwargs)
        client = original(self, *args, **kwargs)
        if needs_trace:
            client.meta.events.register("before-call", _add_trace_header)
        return client

    create_client.__doc__ = original.__doc__
    create_client.__wrapped__ = original
    session_module.Session.create_client = create_client


def _with_endpoint(args, kwargs):
    given = (args[_ENDPOINT_ARG] if len(args) > _ENDPOINT_ARG
             else kwargs.get("endpoint_url"))
    if given is not None:
        return args, kwargs
    name = args[0] if args else kwargs.get("service_name")
    url = configured_endpoint(name) if isinstance(name, str) else None
    if url is None:
        return args, kwargs
    if len(args) > _ENDPOINT_ARG:
        args = args[:_ENDPOINT_ARG] + (url,) + args[_ENDPOINT_ARG + 1:]
    else:
        kwargs = dict(kwargs, endpoint_url=url)
    return args, kwargs
