"""The context object a Python handler receives, with the attributes and
methods AWS documents for it."""

import json
import logging
import os
import sys
import time

from .faults import FaultException


class LambdaContext(object):
    """Lambda's context: request id, function identity, limits and the
    deadline. memory_limit_in_mb is the string from the environment, as in
    AWS's runtime."""

    def __init__(self, request_id, client_context, cognito_identity,
                 deadline_ms, invoked_function_arn=None, tenant_id=None):
        env = os.environ
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = _from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _from_dict(
                Client, self.client_context.client)
        self.identity = _from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get(
                "cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get(
                "cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        """Milliseconds left before the function times out, never negative."""
        left = self._deadline_ms - int(time.time() * 1000)
        return left if left > 0 else 0

    def log(self, msg):
        """Writes msg to the function's log as is (no newline added)."""
        for handler in logging.getLogger().handlers:
            sink = getattr(handler, "log_sink", None)
            if sink is not None:
                sink.log(str(msg))
                return
        sys.stdout.write(str(msg))

    def __repr__(self):
        return ("%s([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,"
                "function_name=%s,memory_limit_in_mb=%s,function_version=%s,"
                "invoked_function_arn=%s,client_context=%s,identity=%s,"
                "tenant_id=%s])" % (
                    type(self).__name__, self.aws_request_id,
                    self.log_group_name, self.log_stream_name,
                    self.function_name, self.memory_limit_in_mb,
                    self.function_version, self.invoked_function_arn,
                    self.client_context, self.identity, self.tenant_id))


class _Slots(object):
    __slots__ = ()

    def __repr__(self):
        fields = ",".join("%s=%s" % (f, getattr(self, f, None))
                          for f in self.__slots__)
        return "%s([%s])" % (type(self).__name__, fields)


class CognitoIdentity(_Slots):
    """The caller's Amazon Cognito identity, when the invoke carried one."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")


class Client(_Slots):
    """The mobile client that invoked the function, from the client context."""

    __slots__ = ("installation_id", "app_title", "app_version_name",
                 "app_version_code", "app_package_name")


class ClientContext(_Slots):
    """The client context an invoke passed (Lambda-Runtime-Client-Context)."""

    __slots__ = ("custom", "env", "client")


def _from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, values.get(field))
    return obj


def _parse_header(value, name):
    try:
        return json.loads(value)
    except Exception as exc:
        raise FaultException(
            FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR,
            "Unable to parse %s JSON: %s" % (name, exc))


def create(invocation):
    """Builds the context for one invocation from its Runtime API headers."""
    client_context = None
    if invocation.client_context:
        client_context = _parse_header(invocation.client_context,
                                       "Client Context")
    identity = None
    if invocation.cognito_identity:
        identity = _parse_header(invocation.cognito_identity,
                                 "Cognito Identity")
    return LambdaContext(invocation.request_id, client_context, identity,
                         invocation.deadline_ms, invocation.function_arn,
                         invocation.tenant_id)
