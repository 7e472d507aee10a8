"""lambdalab's Python runtime client: the process Lambda would start for a
python3.X function, talking to the Runtime API at AWS_LAMBDA_RUNTIME_API.

Our own code, written from the Lambda Runtime API documentation and the
documented behaviour of awslambdaric. Started as
    python -I -S -B bootstrap.py OPT_DIR
so that nothing of the host's Python setup (site-packages, user site, .pth
files, PYTHON* variables) reaches the function: its sys.path is built here.
"""

import os
import sys


def _runtime_version():
    """python3.X of the function's runtime (AWS_EXECUTION_ENV), which names
    the layers' site-packages directory even when this machine's Python is
    another version; the interpreter's own when the variable says nothing."""
    env = os.environ.get("AWS_EXECUTION_ENV", "")
    prefix = "AWS_Lambda_python"
    if env.startswith(prefix) and env[len(prefix):].replace(".", "").isdigit():
        return "python" + env[len(prefix):]
    return "python%d.%d" % sys.version_info[:2]


def _search_path(opt_dir):
    """Lambda's import precedence: the task root, then the layers
    (site-packages before /opt/python, as AWS's bootstrap orders them), then
    the runtime's own libraries (boto3 and what it needs), then the standard
    library that the interpreter put there."""
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    runtime_dir = os.path.dirname(os.path.abspath(__file__))
    layers = []
    if opt_dir:  # "" means no /opt at all (not the working directory)
        layers = [os.path.join(opt_dir, "python", "lib", _runtime_version(),
                               "site-packages"),
                  os.path.join(opt_dir, "python")]
    front = [task_root] + layers + [runtime_dir]
    rest = [p for p in sys.path if p not in front]
    sys.path[:] = front + rest

    # Lambda treats the task root and the layers as site directories, so
    # .pth files there take effect (the host's never do: -S).
    import site
    for d in [task_root] + layers:
        if os.path.isdir(d):
            site.addsitedir(d)


def _undo_locale_coercion():
    """Where LANG names a locale this machine lacks (or the C locale),
    Python puts LC_CTYPE=C.UTF-8 into its own environment (PEP 538). Lambda's
    environment has no LC_CTYPE, so the function should not see one."""
    if (os.environ.get("LC_CTYPE") not in ("C.UTF-8", "C.utf8", "UTF-8")
            or "LC_ALL" in os.environ):
        return
    import locale
    current = locale.setlocale(locale.LC_CTYPE)
    try:
        # What LC_CTYPE would have been from LANG alone.
        base = locale.setlocale(locale.LC_CTYPE, os.environ.get("LANG") or "C")
    except locale.Error:
        base = "C"
    locale.setlocale(locale.LC_CTYPE, current)
    if base in ("C", "POSIX"):
        del os.environ["LC_CTYPE"]


def _fail(what, exc):
    # The client's own failure (not the function's): one clear line on
    # stderr and a non-zero exit, so that lambdalab sees Runtime.ExitError
    # instead of a process that hangs.
    try:
        sys.stdout.flush()
    except Exception:
        pass
    sys.stderr.write("lambdalab python runtime: %s: %s: %s\n"
                     % (what, type(exc).__name__, exc))
    sys.stderr.flush()
    os._exit(1)


def _quiet_distro_warnings():
    """Debian's requests (which its botocore imports) warns on every import
    that its chardet/charset_normalizer pin does not match; Lambda's
    runtime has no such package, so its functions never print it."""
    import warnings
    warnings.filterwarnings(
        "ignore", message=r"urllib3 \(.*\) or chardet \(.*\)/charset_normalizer")


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: bootstrap.py OPT_DIR\n")
        os._exit(2)
    try:
        _undo_locale_coercion()
        _quiet_distro_warnings()
        _search_path(sys.argv[1])
        from lambdalab_runtime import botoshim, loop
        botoshim.install()
    except BaseException as exc:  # noqa: B902 - any start-up failure is fatal
        _fail("start-up failed", exc)
    try:
        loop.run(os.environ.get("_HANDLER", ""),
                 os.environ.get("AWS_LAMBDA_RUNTIME_API", ""))
    except SystemExit as exc:
        # The function (or the init-error path) asked to exit: flush what it
        # printed and leave with its status, even if it left threads behind.
        code = exc.code
        if code is None:
            code = 0
        elif not isinstance(code, int):
            sys.stderr.write("%s\n" % (code,))
            code = 1
        loop.flush_streams()
        os._exit(code)
    except BaseException as exc:  # noqa: B902
        _fail("runtime loop failed", exc)


if __name__ == "__main__":
    main()
