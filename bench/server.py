"""A throwaway Sira server: SQLite in a temp dir, demo data, uvicorn as a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """Context manager: ``sira init --demo``, start uvicorn, wait for /healthz, kill on exit."""

    def __init__(self) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix="sira-bench-"))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.command = [
            sys.executable,
            "-m",
            "uvicorn",
            "server.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--ws",
            "websockets-sansio",
            "--log-level",
            "warning",
        ]
        self.credentials: dict[str, Any] = {}
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = (self.data_dir / "server.log").open("wb")

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(SIRA_DATA_DIR=str(self.data_dir), SIRA_DAY_CLOSE_INTERVAL_S="0")
        return env

    def __enter__(self) -> ServerProcess:
        try:
            self._init_demo()
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _init_demo(self) -> None:
        subprocess.run(
            [str(VENV_BIN / "sira"), "init", "--demo"],
            env=self._env(),
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=60,
        )
        self.credentials = json.loads((self.data_dir / "demo-credentials.json").read_text())

    def _start(self) -> None:
        self.proc = subprocess.Popen(
            self.command,
            env=self._env(),
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early; see {self.data_dir / 'server.log'}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not healthy after {STARTUP_TIMEOUT_S:.0f} s")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss_mb(self) -> dict[str, float]:
        """Current (VmRSS) and peak (VmHWM) resident memory of the server, in MB."""
        out: dict[str, float] = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
        return out

    def responsive(self, timeout_s: float = 3.0) -> bool:
        """Whether GET /healthz answers within ``timeout_s``."""
        try:
            return httpx.get(f"{self.base_url}/healthz", timeout=timeout_s).status_code == 200
        except httpx.TransportError:
            return False

    def stack_dump(self) -> str | None:
        """Every server thread's Python stack (py-spy dump), when py-spy is installed."""
        spy = shutil.which("py-spy") or str(VENV_BIN / "py-spy")
        if not Path(spy).exists():
            return None
        done = subprocess.run(
            [spy, "dump", "--pid", str(self.pid)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return done.stdout + done.stderr

    def cpu_s(self) -> float:
        """User + system CPU seconds the server has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            # A wedged server never finishes its graceful shutdown: SIGKILL after a moment.
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        self._log.close()
        if exc_type is None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        else:  # keep the database and server.log for a look at what went wrong
            sys.stderr.write(f"server data kept in {self.data_dir}\n")
