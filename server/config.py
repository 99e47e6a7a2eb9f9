"""Settings read from the environment (``SIRA_`` prefix)."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIRA_", env_file=".env", extra="ignore")

    env: str = Field("dev", description="dev | test | prod; prod refuses the default secret")
    data_dir: Path = Path("./data")
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str = DEV_SECRET
    # Staff sessions expire after this many seconds of the token's life.
    session_ttl_s: int = 12 * 3600
    # SQLite durability: NORMAL survives a killed process (WAL is in the OS cache);
    # FULL also survives power loss at a cost in write latency.
    sqlite_synchronous: str = "NORMAL"
    # Seconds between checks for business days that ended (day close).
    day_close_interval_s: float = 60.0
    # Events replayed with since=SEQ at most; older gaps get a fresh snapshot.
    replay_limit: int = 5000
    # Per WebSocket subscriber queue; a client that falls this far behind is dropped.
    ws_queue_size: int = 1000
    public_url: str = "http://localhost:8000"

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.env == "prod" and self.secret_key == DEV_SECRET:
            raise ValueError("SIRA_SECRET_KEY must be set to a private value when SIRA_ENV=prod")
        return self

    @cached_property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'sira.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")


def new_secret() -> str:
    return secrets.token_urlsafe(32)
