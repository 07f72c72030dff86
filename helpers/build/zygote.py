"""A fork server for the build: the scientific stack is imported once, chapters are forked from it.

Every chapter used to pay for a new papermill process and a new kernel, each importing its
libraries again: about 5 s of CPU per chapter, as much as most chapters compute. The build now
starts one server (``serve``), which imports papermill, ipykernel, pandas, linearmodels,
matplotlib, statsmodels and scipy and then waits on a UNIX socket. A chapter's papermill, and the
kernel papermill starts, are each a small *launcher* (``launch``, standard library only): it hands
its argv, environment, working directory and standard streams to the server, which forks a child
that runs papermill's command line or an IPython kernel with them. The launcher then stands in for
the child: it forwards SIGINT and SIGTERM to it and exits with its exit status, so papermill and
jupyter_client see an ordinary process. If a launcher dies, the server kills its child.

The helpers are not imported by the server: they read the environment (``BOOK_BUILD``, the claims
mode) and hold caches, and each chapter must start from nothing but the libraries. The server is
started with the chapters' environment (``PYTHONHASHSEED=0``, one BLAS thread, the inline
matplotlib backend), since those are read when the interpreter or a library starts.

Run as a script (``python helpers/build/zygote.py launch ...``) the launcher imports nothing
but the standard library, which keeps its start at a few tens of milliseconds.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import socket
import sys
import time

#: the inline backend, set before matplotlib is imported, as ipykernel sets it in a new kernel
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: what a child can run: papermill's command line or a kernel
KINDS = ("papermill", "kernel")
_MAX_MESSAGE = 1 << 20


class _KernelShell:
    """What pandas finds as ``get_ipython()`` when it is imported inside a kernel."""

    kernel = True


def _preload() -> None:
    """Import what every chapter's papermill and kernel would import anyway.

    pandas decides at import whether it runs in a terminal (then it fits tables to the terminal's
    width) or in a kernel (then it shows up to 20 columns); imported here it must decide as in a
    kernel, or every table a chapter prints would change.
    """
    import builtins

    builtins.get_ipython = lambda: _KernelShell  # type: ignore[attr-defined]
    try:
        import pandas  # noqa: F401
    finally:
        del builtins.get_ipython  # type: ignore[attr-defined]
    import ipykernel.kernelapp  # noqa: F401
    import jupytext  # noqa: F401
    import linearmodels  # noqa: F401
    import matplotlib.pyplot  # noqa: F401  (the backend itself loads in the kernel, at the first figure)
    import nbclient  # noqa: F401
    import papermill.cli  # noqa: F401
    import scipy.stats  # noqa: F401
    import statsmodels.api  # noqa: F401


def _send(sock: socket.socket, obj: object, fds: list[int] | None = None) -> None:
    data = json.dumps(obj).encode() + b"\n"
    if fds:
        socket.send_fds(sock, [data], fds)
    else:
        sock.sendall(data)


def _recv_line(sock: socket.socket, buffer: bytearray) -> bytes | None:
    """One newline-terminated message, or None when the peer has closed the connection."""
    while b"\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer += chunk
        if len(buffer) > _MAX_MESSAGE:
            raise ValueError("message too long")
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return line


# --------------------------------------------------------------------------- the child


def _run_child(kind: str, argv: list[str], env: dict[str, str], cwd: str, fds: list[int],
               inherited: list[socket.socket]) -> None:
    """In the forked child: become the requested process, then exit with its status (never returns)."""
    code = 1
    try:
        # the server's sockets: a launcher must see the server's end close when the server dies
        for sock in inherited:
            sock.close()
        # the handlers a new Python process starts with (the server's own stop it)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()  # its own process group, as a kernel started by jupyter_client has
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        if kind == "kernel":
            from ipykernel.kernelapp import IPKernelApp

            sys.argv = [IPKernelApp.__module__, *argv]
            IPKernelApp.launch_instance(argv=argv)
            code = 0
        else:
            from papermill.cli import papermill

            sys.argv = ["papermill", *argv]
            papermill.main(args=argv, prog_name="papermill")
            code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # the child must never return into the server's loop
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(BaseException):
            import atexit

            atexit._run_exitfuncs()
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


# --------------------------------------------------------------------------- the server


def serve(fd: int) -> None:
    """Import the stack, then fork a child for each request on the listening socket ``fd`` until SIGTERM.

    The caller binds the socket before starting the server, so requests made meanwhile queue up.
    """
    listener = socket.socket(fileno=fd)
    _preload()
    gc.freeze()
    children: dict[int, socket.socket] = {}  # child pid -> its launcher's connection
    pending: set[socket.socket] = set()  # connections whose request has not arrived yet
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping:
            watched = [listener, *pending, *children.values()]
            with contextlib.suppress(InterruptedError):
                readable, _, _ = select.select(watched, [], [], 0.05)
            for sock in readable if not stopping else []:
                if sock is listener:
                    conn, _ = listener.accept()
                    pending.add(conn)
                elif sock in pending:
                    pending.discard(sock)
                    _accept_request(sock, children, [listener, *pending, *children.values()])
                else:  # a launcher went away before its child: the child goes too
                    for pid, conn in list(children.items()):
                        if conn is sock:
                            with contextlib.suppress(ProcessLookupError):
                                os.killpg(pid, signal.SIGKILL)
            _reap(children)
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while children and time.monotonic() < deadline:
            _reap(children)
            time.sleep(0.02)
        listener.close()


def _accept_request(sock: socket.socket, children: dict[int, socket.socket],
                    others: list[socket.socket]) -> None:
    """Read a launcher's request (its message and its three standard streams) and fork its child."""
    fds: list[int] = []
    try:
        data, fds, _, _ = socket.recv_fds(sock, _MAX_MESSAGE, 3)
        if not data.endswith(b"\n"):
            raise ValueError("incomplete request")
        request = json.loads(data.decode())
        if request.get("kind") not in KINDS or len(fds) != 3:
            raise ValueError(f"bad request {request!r:.200}")
    except (OSError, ValueError) as exc:
        print(f"zygote: {exc}", file=sys.stderr, flush=True)
        for fd in fds:
            os.close(fd)
        sock.close()
        return
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _run_child(request["kind"], request["argv"], request["env"], request["cwd"], fds, [sock, *others])
    for fd in fds:
        os.close(fd)
    children[pid] = sock
    with contextlib.suppress(OSError):  # a launcher already gone: its child is killed on the next loop
        _send(sock, {"pid": pid})


def _reap(children: dict[int, socket.socket]) -> None:
    """Collect finished children and tell each launcher its child's exit status."""
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = children.pop(pid, None)
        if conn is not None:
            with contextlib.suppress(OSError):
                _send(conn, {"status": os.waitstatus_to_exitcode(status)})
            conn.close()


# --------------------------------------------------------------------------- the launcher


def launch(path: str, kind: str, argv: list[str]) -> int:
    """Have the server at ``path`` fork a ``kind`` child with this process's argv, environment,
    directory and standard streams; forward SIGINT and SIGTERM to it; return its exit status."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as exc:
        print(f"zygote: no fork server at {path}: {exc.strerror}", file=sys.stderr)
        return 1
    request = {"kind": kind, "argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}
    _send(sock, request, [0, 1, 2])
    buffer = bytearray()
    reply = _recv_line(sock, buffer)
    if reply is None:
        print("zygote: the fork server refused the request", file=sys.stderr)
        return 1
    pid = json.loads(reply)["pid"]

    def forward(signum: int, frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)
    while True:
        try:
            reply = _recv_line(sock, buffer)
            break
        except InterruptedError:
            continue
    if reply is None:  # the server is gone (the build stopped it), and with it the child
        return 1
    status = json.loads(reply)["status"]
    return status if status >= 0 else 128 - status


def kernel_spec(path: str) -> dict:
    """A kernelspec (``kernel.json``) whose kernels are forked by the server listening at ``path``."""
    launcher = [sys.executable, os.path.abspath(__file__), "launch", path, "kernel"]
    return {
        "argv": [*launcher, "-f", "{connection_file}"],
        "display_name": "Python 3 (forked)",
        "language": "python",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "launch" and sys.argv[3] in KINDS:
        sys.exit(launch(sys.argv[2], sys.argv[3], sys.argv[4:]))
    else:
        sys.exit(f"usage: {sys.argv[0]} serve SOCKET | launch SOCKET {{{'|'.join(KINDS)}}} ARGS...")
