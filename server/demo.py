"""The demo branch that ``sira init --demo`` creates."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from server.admin import service as admin
from server.models import Branch
from server.security import generate_password, hash_password

SERVICES: list[dict[str, Any]] = [
    {
        "code": "A",
        "standard_wait_s": 600,
        "standard_service_s": 240,
        "names": {
            "en": "Cash and deposits",
            "tr": "Nakit ve mevduat işlemleri",
            "el": "Ταμείο και καταθέσεις",
            "pl": "Kasa i wpłaty",
        },
    },
    {
        "code": "B",
        "standard_wait_s": 900,
        "standard_service_s": 420,
        "names": {
            "en": "Accounts and cards",
            "tr": "Hesap ve kart işlemleri",
            "el": "Λογαριασμοί και κάρτες",
            "pl": "Konta i karty",
        },
    },
    {
        "code": "C",
        "standard_wait_s": 1200,
        "standard_service_s": 900,
        "names": {
            "en": "Loans and investments",
            "tr": "Kredi ve yatırım",
            "el": "Δάνεια και επενδύσεις",
            "pl": "Kredyty i inwestycje",
        },
    },
]
COUNTERS = [("1", ["A", "B"]), ("2", ["A", "B"]), ("3", ["B", "A"]), ("4", ["C", "B"])]


def create_demo(session: Session, *, code: str = "demo") -> dict[str, Any] | None:
    """Create the demo branch; returns its credentials, or None when it already exists."""
    if session.exec(select(Branch).where(Branch.code == code)).first() is not None:
        return None
    branch = admin.create_branch(
        session,
        {
            "code": code,
            "name": "Sira Demo Bank, Central Branch",
            "timezone": "Europe/Istanbul",
            "languages": ["en", "tr", "el", "pl"],
            "default_lang": "en",
            "message": "Welcome to Sira Demo Bank. Please take a ticket and have a seat.",
            "priority_mode": "ratio",
            "priority_ratio": 2,
        },
    )
    for svc in SERVICES:
        admin.create_service(session, branch, dict(svc))
    for label, services in COUNTERS:
        admin.create_counter(session, branch, label=label, services=services)
    users: dict[str, str] = {}
    roles = [("admin", "admin"), ("manager", "manager")] + [
        (f"teller{i}", "teller") for i in range(1, 5)
    ]
    for username, role in roles:
        password = generate_password()
        admin.create_user(
            session,
            username=username,
            password_hash=hash_password(password),
            role=role,
            branch=None if role == "admin" else code,
        )
        users[username] = password
    devices = {}
    for kind, name in (("kiosk", "Entrance kiosk"), ("display", "Waiting room TV")):
        _, token = admin.create_device(session, branch=branch, kind=kind, name=name, config={})
        devices[kind] = token
    return {"branch": code, "users": users, "devices": devices}
