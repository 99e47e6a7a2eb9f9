"""Small factory helpers and a live-server runner for the tests."""

from __future__ import annotations

import datetime as dt
import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI
from PIL import Image, ImageDraw
from sqlmodel import Session, select

from server.admin import service as admin
from server.models import StaffSession, User
from server.security import STAFF_PREFIX, hash_password, new_token, token_hash

PASSWORD = "correct horse battery"
_HASH: str | None = None


def password_hash() -> str:
    """One argon2 hash of PASSWORD per test run (hashing is deliberately slow)."""
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def add_user(session: Session, username: str, role: str, branch_id: int | None) -> User:
    user = User(username=username, password_hash=password_hash(), role=role, branch_id=branch_id)
    session.add(user)
    session.flush()
    return user


def staff_token(
    session: Session, user: User, *, now: dt.datetime | None = None, ttl_s: int = 86400 * 365
) -> str:
    token = new_token(STAFF_PREFIX)
    start = now or dt.datetime.now(dt.UTC)
    session.add(
        StaffSession(
            token_hash=token_hash(token),
            user_id=user.id,  # type: ignore[arg-type]
            expires_at=start + dt.timedelta(seconds=ttl_s),
        )
    )
    return token


@dataclass
class BranchKit:
    """A configured branch with a token per role, for API tests."""

    code: str
    branch_id: int
    counters: dict[str, int]
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


DEFAULT_SERVICES = {
    "A": ["Cash", "Nakit"],
    "B": ["Accounts", "Hesaplar"],
    "C": ["Loans", "Krediler"],
}


def make_branch(
    session: Session,
    *,
    code: str = "demo",
    timezone: str = "Europe/Istanbul",
    counters: dict[str, list[str]] | None = None,
    policy: dict[str, Any] | None = None,
    tellers: int = 4,
    now: dt.datetime | None = None,
) -> BranchKit:
    branch = admin.create_branch(
        session,
        {
            "code": code,
            "name": f"Branch {code}",
            "timezone": timezone,
            "languages": ["en", "tr", "el", "pl"],
            "default_lang": "en",
            **(policy or {}),
        },
    )
    for svc, (en, tr) in DEFAULT_SERVICES.items():
        admin.create_service(
            session,
            branch,
            {
                "code": svc,
                "names": {"en": en, "tr": tr},
                "standard_wait_s": 600,
                "standard_service_s": 300,
            },
        )
    layout = counters or {"1": ["A", "B"], "2": ["A", "B"], "3": ["B", "A"], "4": ["C"]}
    ids = {
        label: admin.create_counter(session, branch, label=label, services=svcs).id
        for label, svcs in layout.items()
    }
    kit = BranchKit(code=code, branch_id=branch.id, counters=ids)  # type: ignore[arg-type]
    people = [("manager", "manager")] + [(f"teller{i}", "teller") for i in range(1, tellers + 1)]
    for name, role in people:
        user = add_user(session, f"{code}-{name}", role, branch.id)
        kit.tokens[name] = staff_token(session, user, now=now)
        kit.user_ids[name] = user.id  # type: ignore[assignment]
    for kind in ("kiosk", "display", "speaker", "agent"):
        _, kit.tokens[kind] = admin.create_device(
            session, branch=branch, kind=kind, name=kind, config={}
        )
    return kit


def admin_token(session: Session, *, now: dt.datetime | None = None) -> str:
    user = session.exec(select(User).where(User.username == "root")).first()
    if user is None:
        user = add_user(session, "root", "admin", None)
    return staff_token(session, user, now=now)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: FastAPI, **options: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn (websockets library) on a free port; yields the base URL.
    ``options``: more of uvicorn's (e.g. ``server.cli.server_options``)."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        **{"ws": "websockets-sansio", "log_level": "warning", "lifespan": "on", **options},
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def skip_or_fail(reason: str) -> None:
    """Skip for want of a server or tool; under SIRA_TEST_STRICT (CI) that is a failure."""
    import os

    import pytest

    if os.environ.get("SIRA_TEST_STRICT"):
        pytest.fail(f"{reason} (SIRA_TEST_STRICT is set: CI must run this test)")
    pytest.skip(reason)


def logo_image(
    width: int = 400, height: int = 100, *, fmt: str = "PNG", mode: str = "RGB", **save: Any
) -> bytes:
    """A logo drawn with Pillow, as the bytes of a ``fmt`` file: a dark disc on the left and
    a bar on a light background (transparent where ``mode`` has alpha). ``save``: more of
    Pillow's save options (``exif=...``)."""
    clear = (0, 0, 0, 0) if "A" in mode else "white"
    image = Image.new("RGBA", (width, height), clear)
    draw = ImageDraw.Draw(image)
    r = min(width, height) // 2 - 2
    draw.ellipse((2, height // 2 - r, 2 + 2 * r, height // 2 + r), fill=(10, 40, 120, 255))
    left = min(2 * r + 8, width // 2)
    draw.rectangle((left, height // 3, width - 4, 2 * height // 3), fill=(200, 30, 30, 255))
    out = io.BytesIO()
    image.convert(mode).save(out, fmt, **save)
    return out.getvalue()
