# A function with one behaviour per event["action"], for the runtime tests.
import datetime
import logging
import os
import sys

logger = logging.getLogger()


def lambda_handler(event, context):
    return ACTIONS[event.get("action", "echo")](event, context)


def echo(event, context):
    return event


def say(event, context):
    print("first line")
    logger.warning("careful: %s", "warning")
    logger.info("an info line")
    print("second line", "with parts")
    sys.stdout.write("no newline;")
    sys.stdout.write(" then one\n")
    context.log("from context.log\n")
    return "said"


def describe_context(event, context):
    return {
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "identity": [context.identity.cognito_identity_id,
                     context.identity.cognito_identity_pool_id],
        "client_context": None if context.client_context is None else {
            "custom": context.client_context.custom,
            "env": context.client_context.env,
            "installation_id": context.client_context.client.installation_id,
        },
        "trace_env": os.environ.get("_X_AMZN_TRACE_ID"),
    }


def environment(event, context):
    return {
        "environ": dict(os.environ),
        "path": sys.path,
        "isolated": sys.flags.isolated,
        "no_site": sys.flags.no_site,
        "cwd": os.getcwd(),
    }


def not_json(event, context):
    return {"when": datetime.datetime(2025, 1, 2, 3, 4, 5)}


def leave(event, context):
    print("leaving")
    sys.exit(event["code"])


def text(event, context):
    return "h\u00e9llo \u2713"


def raw(event, context):
    return b"\x00raw bytes"


def import_pil(event, context):
    import PIL
    from PIL import Image
    image = Image.new("RGB", (600, 400))
    image.thumbnail(tuple(x / 2 for x in image.size))
    return {"file": PIL.__file__, "size": list(image.size)}


def module_file(event, context):
    import importlib
    return importlib.import_module(event["module"]).__file__


ACTIONS = {
    "echo": echo,
    "say": say,
    "context": describe_context,
    "env": environment,
    "not_json": not_json,
    "exit": leave,
    "text": text,
    "raw": raw,
    "pil": import_pil,
    "module_file": module_file,
}
