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
    # How long an event socket opened without a token may take to send its sign-in message.
    ws_auth_wait_s: float = 10.0
    # Seconds between an open event socket's checks of its token (a logout or revocation
    # closes it at once; this catches expiry and changes made outside the server). 0: never.
    ws_recheck_s: float = 60.0
    public_url: str = "http://localhost:8000"
    # Redis event bus (SIRA_REDIS_URL set): the pub/sub channel, shared by all processes of
    # one installation, and how often (s) each process checks the database for events whose
    # publisher died between commit and publish (0: never).
    redis_channel: str = "sira:events"
    bus_resync_s: float = 5.0
    # Data retention: `sira purge` blanks personal and free-text ticket data older than this
    # many days (feedback comments, priority reasons, customer links); None keeps everything.
    retention_days: int | None = Field(None, ge=1)
    # Printed at the top of every ticket (the branch's name follows it); empty: branch name only.
    bank_name: str = ""
    # Seconds between status reads of printers the server drives itself (alerts clear on
    # recovery even when nothing is printed); 0 turns the poll off.
    printer_poll_s: float = 15.0
    # How long an issuing request waits for a device agent to confirm a print before it
    # answers print_status "queued" (the result then arrives as an event).
    agent_ack_wait_s: float = 3.0
    # Seconds between checks for waiting tickets about to miss their standard (manager
    # alerts); unset: every 30 s, and off under SIRA_ENV=test.
    risk_check_interval_s: float | None = None
    # How often device agents report their hardware status (their heartbeat).
    agent_heartbeat_s: float = 10.0
    # A device silent for this long is shown offline and raises an alert.
    device_offline_after_s: float = 60.0
    # Move what exists once the app has started (modules, routes, table metadata) out of the
    # garbage collector's reach: its full passes then skip it (on the reports benchmark a
    # pass every few requests took ~85 ms, ~30 ms with this). Unset: on, off under
    # SIRA_ENV=test (test processes start hundreds of apps).
    gc_freeze: bool | None = None

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
