"""The jobs this agent has printed, kept on disk so a job sent again after a reconnect (its
acknowledgement lost on the way) is acknowledged without being printed a second time."""

from __future__ import annotations

import os
import threading
from pathlib import Path

KEEP = 5000  # job ids remembered; older ones cannot come back (the server finished them)


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._ids: set[int] = set()
        if path.exists():
            for line in path.read_text().split():
                if line.isdigit():
                    self._ids.add(int(line))

    def __contains__(self, job_id: int) -> bool:
        with self._lock:
            return job_id in self._ids

    def add(self, job_id: int) -> None:
        """Record a printed job durably (fsync) before it is acknowledged."""
        with self._lock:
            self._ids.add(job_id)
            with self.path.open("a") as f:
                f.write(f"{job_id}\n")
                f.flush()
                os.fsync(f.fileno())
            if len(self._ids) > 2 * KEEP:
                self._compact()

    def _compact(self) -> None:
        keep = sorted(self._ids)[-KEEP:]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(f"{i}\n" for i in keep))
        os.replace(tmp, self.path)
        self._ids = set(keep)
