"""Serving from several processes, each listening on the port with a socket of its own.

uvicorn's workers share one listening socket, and the process that wakes first accepts every
connection waiting: 20 clients connecting at once went all to one of two processes in two runs
of three (counted with `ss`), leaving the other idle and doubling the latency. With a socket per
process (SO_REUSEPORT) the kernel spreads the connections over the processes. Where the option
does not balance (only Linux's does), uvicorn's own workers serve instead.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
from multiprocessing.connection import wait
from typing import Any


def balanced() -> bool:
    return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def _socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port and sys.platform != "win32":  # no SO_REUSEPORT there (balanced() says so)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _serve_one(app: str, host: str, port: int, options: dict[str, Any]) -> None:
    import uvicorn

    sock = _socket(host, port, reuse_port=True)
    sock.listen(2048)
    uvicorn.Server(uvicorn.Config(app, factory=True, **options)).run(sockets=[sock])


def serve(app: str, host: str, port: int, processes: int, options: dict[str, Any]) -> None:
    """Serve the app the factory ``app`` ("module:function", called in each process) makes,
    on ``host:port`` from ``processes`` processes until interrupted; ``options`` go to
    uvicorn."""
    import uvicorn

    if processes <= 1 or not balanced():
        uvicorn.run(app, factory=True, host=host, port=port, workers=processes, **options)
        return
    # A plain bind first: with SO_REUSEPORT alone a second server started on the same port
    # would silently share it with this one rather than fail (and port 0 picks one for all).
    with _socket(host, port, reuse_port=False) as probe:
        port = probe.getsockname()[1]
    spawn = multiprocessing.get_context("spawn")
    children = [
        spawn.Process(target=_serve_one, args=(app, host, port, options), daemon=False)
        for _ in range(processes)
    ]
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.is_alive():
                child.terminate()  # SIGTERM: uvicorn finishes the requests in flight

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        child.start()
    while not stopping:
        wait([c.sentinel for c in children])
        if not stopping and any(c.exitcode is not None for c in children):
            # A process that died leaves the port to the others; its exit is reported.
            dead = [c for c in children if c.exitcode is not None]
            print(
                f"fmtr: a server process exited (code {dead[0].exitcode}); stopping",
                file=sys.stderr,
            )
            stop(signal.SIGTERM, None)
    for child in children:
        child.join()
    if any(c.exitcode not in (0, -signal.SIGTERM) for c in children):
        raise SystemExit(1)
