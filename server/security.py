"""Passwords (argon2 via pwdlib) and bearer tokens (random, stored only as SHA-256)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

STAFF_PREFIX = "sst_"
DEVICE_PREFIX = "sdt_"


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _hasher().verify(password, password_hash)
    except Exception:  # a malformed stored hash is a failed login, not a crash
        return False


# Compared against when the username is unknown, so timing does not reveal which it was.
_DUMMY_HASH: str | None = None


def dummy_verify(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-real-password")
    verify_password(password, _DUMMY_HASH)


# Password checks run on threads of their own: never inside a unit of work (on SQLite a
# write unit holds the one write slot: argon2's ~0.2 s there stalled every branch's writes),
# and a flood of logins queues here instead of filling the pool that database work needs.
PASSWORD_WORKERS = 2


@lru_cache(maxsize=1)
def _password_workers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=PASSWORD_WORKERS, thread_name_prefix="sira-password")


def _check(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        dummy_verify(password)
        return False
    return verify_password(password, password_hash)


async def check_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches ``password_hash``, off the event loop and outside any
    unit of work; None (no such account) spends the same time on a dummy hash."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_password_workers(), _check, password, password_hash)


async def new_password_hash(password: str) -> str:
    """``password``'s argon2 hash, made on the password threads: a route hashes a new
    password before its unit of work, never inside the write slot."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_password_workers(), hash_password, password)


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(token.encode()).hexdigest()


def new_customer_token() -> str:
    return secrets.token_urlsafe(16)


def generate_password() -> str:
    return secrets.token_urlsafe(12)
