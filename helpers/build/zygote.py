"""A fork server for the build: the scientific stack is imported once, chapters are forked from it.

Every chapter used to pay for a new papermill process and a new kernel, each importing its
libraries again: about 5 s of CPU per chapter, as much as most chapters compute. The build now
starts one server (``serve``), which imports papermill, ipykernel, pandas, linearmodels,
matplotlib, statsmodels and scipy and then waits on a UNIX socket. A chapter's papermill, and the
kernel papermill starts, are each a small *launcher* (``launch``, standard library only): it hands
its argv, environment, working directory and standard streams to the server, which forks a child
that runs papermill's command line or an IPython kernel with them. The launcher then stands in for
the child: it forwards SIGINT, SIGTERM and SIGHUP to it and exits with its exit status, so
papermill and jupyter_client see an ordinary process.

Nothing may outlive what started it: the server kills a child whose launcher goes away, a launcher
kills its child when its own parent dies (as ipykernel's parent poller would), and the server stops,
killing its children, when the build that started it dies.

The socket is in Linux's abstract namespace (nothing on disk, no path-length limit), and the server
serves only processes of its own user (``SO_PEERCRED``). A forked kernel is made to match a new one:
the helpers and the server's ``sys.path`` entry are dropped, numpy's global random state is reseeded,
history is kept in memory as nbclient asks of a ``python3`` kernel, and pandas was imported as in a
kernel (it decides at import how wide to print tables). A test compares a forked chapter's notebook
with one executed in a new kernel, byte for byte.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import json
import os
import secrets
import select
import signal
import socket
import struct
import sys
import time

#: the inline backend, set before matplotlib is imported, as ipykernel sets it in a new kernel
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: what a child can run: papermill's command line or a kernel
KINDS = ("papermill", "kernel")
_MAX_MESSAGE = 1 << 22
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def new_address() -> str:
    """A fresh abstract-namespace address, written with a leading ``@`` (argv cannot hold NUL)."""
    return f"@book-zygote-{os.getpid()}-{secrets.token_hex(8)}"


def sockaddr(address: str) -> str:
    """The address as ``bind`` and ``connect`` take it."""
    return "\0" + address[1:] if address.startswith("@") else address


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
        # the descriptors travel with the first bytes; the rest of a long message follows
        sent = socket.send_fds(sock, [data], fds)
        sock.sendall(data[sent:])
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


def _valid(request: object) -> bool:
    return (isinstance(request, dict) and request.get("kind") in KINDS
            and isinstance(request.get("argv"), list) and all(isinstance(a, str) for a in request["argv"])
            and isinstance(request.get("env"), dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in request["env"].items())
            and isinstance(request.get("cwd"), str))


# --------------------------------------------------------------------------- the child


def _become(request: dict, fds: list[int], server_path0: str) -> int:
    """In the forked child (already in its own session): run the request; return its exit status."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    argv = request["argv"]
    if request["kind"] == "papermill":
        from papermill.cli import papermill

        sys.argv = ["papermill", *argv]
        papermill.main(args=argv, prog_name="papermill")
        return 0
    # as a new kernel: the helpers are imported by the chapter (they read the environment at
    # import), the server's own sys.path entry goes (the kernel adds '' itself), numpy's global
    # random state is reseeded from the OS as in a new process
    for name in [m for m in sys.modules if m == "helpers" or m.startswith("helpers.")]:
        del sys.modules[name]
    if sys.path and sys.path[0] == server_path0:
        del sys.path[0]
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    from ipykernel.kernelapp import IPKernelApp

    spec = importlib.util.find_spec("ipykernel_launcher")
    sys.argv = [spec.origin if spec and spec.origin else "ipykernel_launcher", *argv]
    # jupyter_client's own parent pid: no "Ctrl-C will not work" banner, as in a new kernel
    IPKernelApp.launch_instance(argv=argv, parent_handle=int(request["env"].get("JPY_PARENT_PID") or 0))
    return 0


def _run_child(request: dict, fds: list[int], inherited: list[socket.socket], ready: int,
               server_path0: str) -> None:
    """In the forked child: become the requested process, then exit with its status (never returns)."""
    code = 1
    try:
        try:
            # the handlers a new Python process starts with, not the server's
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            os.setsid()  # its own process group, as a kernel started by jupyter_client has
            os.write(ready, b"x")  # only now may the launcher signal the group
            os.close(ready)
            # the server's sockets: a launcher must see the server's end close when the server dies
            for sock in inherited:
                sock.close()
            code = _become(request, fds, server_path0)
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        except KeyboardInterrupt:
            code = 128 + signal.SIGINT
        except BaseException:  # printed as Python would, then the same exit status
            import traceback

            traceback.print_exc()
            code = 1
        with contextlib.suppress(BaseException):
            import atexit

            atexit._run_exitfuncs()
            gc.collect()  # the interpreter's last collection, which os._exit skips
            sys.stdout.flush()
            sys.stderr.flush()
    finally:
        os._exit(code)


# --------------------------------------------------------------------------- the server


def serve(fd: int) -> None:
    """Import the stack, then fork a child for each request on the listening socket ``fd`` until
    SIGTERM or until the process that started the server dies.

    The caller binds the socket before starting the server, so requests made meanwhile queue up.
    """
    listener = socket.socket(fileno=fd)
    parent = os.getppid()
    _preload()
    gc.freeze()  # the children's collector then skips the preloaded objects (and their pages)
    children: dict[int, socket.socket] = {}  # child pid -> its launcher's connection
    pending: set[socket.socket] = set()  # connections whose request has not arrived yet
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, stop)
    try:
        while not stopping and os.getppid() == parent:
            killed = {conn for conn in children.values() if conn.fileno() < 0}
            watched = [listener, *pending, *(c for c in children.values() if c not in killed)]
            with contextlib.suppress(InterruptedError):
                readable, _, _ = select.select(watched, [], [], 0.05)
            for sock in readable if not stopping else []:
                if sock is listener:
                    conn, _ = listener.accept()
                    if _peer_uid(conn) == os.getuid():
                        pending.add(conn)
                    else:
                        conn.close()
                elif sock in pending:
                    pending.discard(sock)
                    _accept_request(sock, children, [listener, *pending, *children.values()])
                else:  # a launcher went away before its child: the child goes too
                    for pid, conn in list(children.items()):
                        if conn is sock:
                            with contextlib.suppress(ProcessLookupError):
                                os.killpg(pid, signal.SIGKILL)
                            conn.close()  # no longer watched; the child is still reaped
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


def _peer_uid(conn: socket.socket) -> int:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def _accept_request(sock: socket.socket, children: dict[int, socket.socket],
                    others: list[socket.socket]) -> None:
    """Read a launcher's request (its message and its three standard streams) and fork its child.

    Whatever goes wrong with one request (a malformed message, a failed fork) is that launcher's
    error, printed by it; the server and the other chapters go on.
    """
    fds: list[int] = []
    try:
        data, fds, _, _ = socket.recv_fds(sock, 65536, 3)
        buffer = bytearray(data)
        line = _recv_line(sock, buffer)
        if line is None:
            raise ValueError("incomplete request")
        request = json.loads(line.decode())
        if not _valid(request) or len(fds) != 3:
            raise ValueError("malformed request")
        ready_r, ready_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
    except (OSError, ValueError) as exc:  # json's errors are ValueErrors
        with contextlib.suppress(OSError):
            _send(sock, {"error": f"{type(exc).__name__}: {exc}"})
        for fd in fds:
            os.close(fd)
        sock.close()
        return
    if pid == 0:
        os.close(ready_r)
        _run_child(request, fds, [sock, *others], ready_w, sys.path[0] if sys.path else "")
    os.close(ready_w)
    with contextlib.suppress(OSError):
        os.read(ready_r, 1)  # the child is in its own session: killpg(pid) now reaches it
    os.close(ready_r)
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
        if conn is not None and conn.fileno() >= 0:
            with contextlib.suppress(OSError):
                _send(conn, {"status": os.waitstatus_to_exitcode(status)})
            conn.close()


# --------------------------------------------------------------------------- the launcher


def launch(address: str, kind: str, argv: list[str]) -> int:
    """Have the server at ``address`` fork a ``kind`` child with this process's argv, environment,
    directory and standard streams; forward SIGINT, SIGTERM and SIGHUP to it; kill it if this
    process's parent dies; return its exit status."""
    parent = os.getppid()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(sockaddr(address))
        _send(sock, {"kind": kind, "argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}, [0, 1, 2])
        buffer = bytearray()
        reply = _recv_line(sock, buffer)
        answer = json.loads(reply) if reply is not None else {"error": "the server closed the connection"}
        if "pid" not in answer:
            print(f"zygote: the fork server refused to start {kind}: {answer.get('error')}", file=sys.stderr)
            return 1
        pid = answer["pid"]

        def forward(signum: int, frame: object) -> None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signum)

        for sig in _FORWARDED:
            signal.signal(sig, forward)
        while True:
            with contextlib.suppress(InterruptedError):
                readable, _, _ = select.select([sock], [], [], 0.5)
                if readable:
                    reply = _recv_line(sock, buffer)
                    break
            if os.getppid() != parent:  # who started this launcher is gone: so is its child
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                return 128 + signal.SIGKILL
    except (OSError, ValueError) as exc:
        print(f"zygote: fork server at {address}: {exc}", file=sys.stderr)
        return 1
    if reply is None:  # the server is gone (the build stopped it), and with it the child
        return 1
    status = json.loads(reply)["status"]
    return status if status >= 0 else 128 - status


def kernel_spec(address: str) -> dict:
    """A kernelspec (``kernel.json``) whose kernels are forked by the server at ``address``.

    History stays in memory, as nbclient asks of the kernels it recognises as ipykernel.
    """
    launcher = [sys.executable, os.path.abspath(__file__), "launch", address, "kernel"]
    return {
        "argv": [*launcher, "-f", "{connection_file}", "--HistoryManager.hist_file=:memory:"],
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
        sys.exit(f"usage: {sys.argv[0]} serve FD | launch ADDRESS {{{'|'.join(KINDS)}}} ARGS...")
