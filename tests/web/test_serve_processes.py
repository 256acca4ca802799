"""`fmtr serve --processes 2` on Linux: one listening socket per process on the same port (so
the kernel spreads connections over them), a second server on that port refused, and stopping
the server stops every process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

FMTR = [sys.executable, "-m", "fmtr"]
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="SO_REUSEPORT balancing: Linux")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # the field after the name: ppid
            found.append(int(entry.name))
    return found


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if state == "0A" and int(local.split(":")[1], 16) == port:
            inodes.add(inode)
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def test_each_process_listens_on_the_port_and_all_stop_together(web_db: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [*FMTR, "serve", "--db", str(web_db), "--port", str(port), "--processes", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    servers: list[int] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(150):
                try:
                    if client.get("/api/v1/summary").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            else:
                raise AssertionError("the server did not start")
            # Both processes up: each has its own listening socket on the port.
            for _ in range(100):
                children = _children(server.pid)
                listening = _listening_inodes(port)
                owned = [_socket_inodes(c) & listening for c in children]
                if len([o for o in owned if o]) == 2:
                    break
                time.sleep(0.1)
            assert len(listening) == 2
            servers = [c for c, o in zip(children, owned, strict=True) if o]
            assert sorted(len(o) for o in owned if o) == [1, 1]
            assert len(servers) == 2 and set.union(*owned) == listening
            assert all(client.get("/api/v1/summary").status_code == 200 for _ in range(20))

            second = subprocess.run(
                [*FMTR, "serve", "--db", str(web_db), "--port", str(port), "--processes", "2"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert second.returncode == 2
            assert f"cannot listen on 127.0.0.1:{port}" in second.stderr
    finally:
        server.terminate()
        _, server_err = server.communicate(timeout=30)  # reads and closes its stderr pipe
    assert server.returncode == 0, server_err
    for pid in servers:
        assert not Path(f"/proc/{pid}").exists(), f"server process {pid} still running"
