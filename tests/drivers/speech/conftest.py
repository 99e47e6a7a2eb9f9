"""Speech tests use the real tools: espeak-ng for the voice, sox for the chime and joins."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def require_tool(*names: str) -> None:
    """Skip when a tool is missing; fail instead when SIRA_TEST_STRICT is set (CI)."""
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed"
        if os.environ.get("SIRA_TEST_STRICT"):
            pytest.fail(f"{reason} (SIRA_TEST_STRICT is set: CI must run this test)")
        pytest.skip(reason)


@pytest.fixture
def audio_tools() -> None:
    require_tool("espeak-ng", "sox", "soxi")


def soxi(flag: str, path: Path) -> str:
    """One field from ``soxi`` (-D duration in seconds, -r rate, -c channels, -b bits)."""
    done = subprocess.run(["soxi", flag, str(path)], capture_output=True, check=True, text=True)
    return done.stdout.strip()


def duration_s(path: Path) -> float:
    return float(soxi("-D", path))
