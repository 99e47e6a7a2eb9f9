"""Shared bits of the deployment tests: the repository's deploy/ tree and skip-or-fail."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def need(tool: str) -> str:
    """The path of ``tool``; skip without it (a failure under SIRA_TEST_STRICT)."""
    path = shutil.which(tool)
    if path is None:
        reason = f"{tool} is not installed"
        if os.environ.get("SIRA_TEST_STRICT"):
            pytest.fail(f"{reason} (SIRA_TEST_STRICT is set: CI must run this test)")
        pytest.skip(reason)
    return path
