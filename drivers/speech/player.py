"""A Speaker for a speaker PC: announcements play one after another, never cut off.

``announce`` only queues the call and returns; one worker thread takes calls in order, gets
the file from the cache (generating it if needed) and runs the player command until it ends.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from drivers.base import DeviceState, DeviceStatus, DriverError
from drivers.speech.synth import AnnouncementCache

log = logging.getLogger(__name__)

#: sox's ``play`` on the default sound device. ``("aplay", "-q", "{path}")`` works too.
PLAY_COMMAND = ("play", "-q", "{path}")


@dataclass(frozen=True)
class _Call:
    code: str
    counter: str
    lang: str


_STOP = object()


class QueuedSpeaker:
    """Plays announcements in order on this machine's sound device."""

    def __init__(
        self,
        cache: AnnouncementCache,
        *,
        command: Sequence[str] = PLAY_COMMAND,
        env: Mapping[str, str] | None = None,  # added to this process's environment
        play_timeout_s: float = 60.0,
        max_pending: int = 32,
    ) -> None:
        if not any("{path}" in arg for arg in command):
            raise ValueError("the player command needs a {path} placeholder")
        self.cache = cache
        self.command = tuple(command)
        self.env = dict(env) if env is not None else None
        self.play_timeout_s = play_timeout_s
        self._queue: queue.Queue[_Call | object] = queue.Queue(maxsize=max_pending)
        self._status = DeviceStatus(DeviceState.ONLINE)
        self._closed = False
        self._pending = 0  # queued or playing
        self._idle = threading.Condition()
        self._worker = threading.Thread(target=self._run, name="sira-speaker", daemon=True)
        self._worker.start()

    def announce(self, *, code: str, counter: str, lang: str) -> None:
        """Queue the chime and spoken call; returns at once."""
        if self._closed:
            raise DriverError("speaker is closed", status=DeviceStatus(DeviceState.OFFLINE))
        with self._idle:
            self._pending += 1
        try:
            self._queue.put_nowait(_Call(code, counter, lang))
        except queue.Full as exc:
            self._done_one()
            detail = f"{self._queue.maxsize} announcements waiting"
            raise DriverError(detail, status=DeviceStatus(DeviceState.ERROR, detail)) from exc

    def status(self) -> DeviceStatus:
        """ONLINE, or the error of the last announcement that failed to play."""
        return self._status

    def wait_idle(self, timeout_s: float | None = None) -> bool:
        """Block until everything queued has been played; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout_s)

    def close(self, *, timeout_s: float = 30.0) -> None:
        """Play what is already queued, then stop the worker."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._worker.join(timeout_s)

    # -- worker

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is _STOP:
                    return
                assert isinstance(item, _Call)
                self._play(self._file_for(item))
                self._status = DeviceStatus(DeviceState.ONLINE)
            except DriverError as exc:
                log.warning("announcement %s not played: %s", item, exc)
                self._status = exc.status or DeviceStatus(DeviceState.ERROR, str(exc))
            finally:
                if item is not _STOP:
                    self._done_one()

    def _done_one(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def _file_for(self, call: _Call) -> Path:
        path = self.cache.path_for(code=call.code, counter=call.counter, lang=call.lang)
        return path if path is not None else self.cache.chime_path()

    def _play(self, path: Path) -> None:
        args = [arg.replace("{path}", str(path)) for arg in self.command]
        try:
            done = subprocess.run(
                args,
                capture_output=True,
                timeout=self.play_timeout_s,
                check=False,
                env={**os.environ, **self.env} if self.env else None,
            )
        except FileNotFoundError as exc:
            raise DriverError(
                f"{args[0]} is not installed", status=DeviceStatus(DeviceState.OFFLINE)
            ) from exc
        except subprocess.TimeoutExpired as exc:
            status = DeviceStatus(DeviceState.ERROR, "player timed out")
            raise DriverError(f"{args[0]} did not finish", status=status) from exc
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace").strip()[-300:]
            status = DeviceStatus(DeviceState.ERROR, f"player exit {done.returncode}")
            raise DriverError(f"{args[0]} failed: {err}", status=status)
