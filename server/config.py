"""Settings read from the environment (``SIRA_`` prefix)."""

from __future__ import annotations

import ipaddress
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Serial ports (and printer device nodes) a device configuration may name.
SERIAL_PORTS = [
    "/dev/ttyUSB*",
    "/dev/ttyACM*",
    "/dev/ttyS*",
    "/dev/serial/by-id/*",
    "/dev/usb/lp*",
    "COM[0-9]*",
]
# Networks printers may be on: the private LAN ranges (RFC 1918, IPv6 unique local). Not this
# host: a manager's "printer" at 127.0.0.1:6379 would send the ticket's lines (a footer they
# typed) to the local Redis as commands; a printer shared by a local bridge is listed by the
# admin (SIRA_PRINTER_HOSTS=...,127.0.0.1). Not link-local: 169.254.169.254 is a cloud host's
# metadata service.
PRINTER_HOSTS = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
]
CommaList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIRA_", env_file=".env", extra="ignore")

    env: str = Field("dev", description="dev | test | prod")
    data_dir: Path = Path("./data")
    database_url: str | None = None
    redis_url: str | None = None
    # Accepted for old env files and the v1 settings list, read by nothing: no token, cookie
    # or ticket is signed with a server secret (tokens are 256 random bits stored as SHA-256).
    secret_key: str | None = None
    # Staff sessions expire after this many seconds of the token's life.
    session_ttl_s: int = 12 * 3600
    # SQLite durability: NORMAL survives a killed process (WAL is in the OS cache);
    # FULL also survives power loss at a cost in write latency.
    sqlite_synchronous: str = "NORMAL"
    # Seconds between checks for business days that ended (day close).
    day_close_interval_s: float = 60.0
    # Events replayed with since=SEQ, or read to fill a gap in a live stream, at most; a
    # client further behind gets a fresh snapshot (one message, not a flood).
    replay_limit: int = 500
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
    # Where device hardware may point, whatever a configuration says (server/printing/
    # config.py): file printers write inside printer_file_dir, logos are read inside logo_dir
    # (unset: data_dir/printers, data_dir/logos); serial ports match serial_ports (shell
    # patterns); network printers are in printer_hosts (networks, addresses or host names).
    # Lists are comma-separated in the environment: SIRA_PRINTER_HOSTS=10.1.0.0/16,prn.lan
    printer_file_dir: Path | None = None
    logo_dir: Path | None = None
    serial_ports: CommaList = Field(default_factory=lambda: list(SERIAL_PORTS))
    printer_hosts: CommaList = Field(default_factory=lambda: list(PRINTER_HOSTS))

    @field_validator("serial_ports", "printer_hosts", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    # Largest request body accepted (bytes); a bigger one answers 413 before it is read. No
    # route takes uploads: the largest real bodies (branch configuration) are a few KiB.
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    # Largest WebSocket message a client may send (bytes; `sira serve` hands it to uvicorn,
    # which closes the socket with 1009 past it). Clients send small JSON only.
    ws_max_bytes: int = Field(64 * 1024, ge=1024)
    # Prometheus text at /metrics lists every branch and its queues: "off" answers 404 (the
    # default: the server's one listener is the public one), "token" answers only a scraper
    # sending `Authorization: Bearer SIRA_METRICS_TOKEN` (at least 24 characters), "public"
    # answers anyone (only behind a proxy that keeps /metrics from the internet).
    metrics_access: Literal["off", "token", "public"] = "off"
    metrics_token: str | None = None

    @model_validator(mode="after")
    def _metrics_token_when_needed(self) -> Settings:
        if self.metrics_access == "token" and len(self.metrics_token or "") < 24:
            raise ValueError(
                "SIRA_METRICS_ACCESS=token needs SIRA_METRICS_TOKEN of at least 24 characters"
            )
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


def _loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_url_problem(public_url: str, *, listen_host: str | None = None) -> str | None:
    """Why phones and printed tickets cannot reach ``public_url`` (the address in every QR
    code and customer link), or None. With ``listen_host``: only when the server listens
    beyond this machine (a branch install) while the address is this machine's own."""
    host = urlsplit(public_url).hostname or ""
    if not _loopback(host):
        return None
    if listen_host is not None and _loopback(listen_host):
        return None  # a developer's machine: the QR codes are for its own browser
    return (
        f"SIRA_PUBLIC_URL is {public_url}: QR codes, printed tickets and customer links point "
        "at this machine itself, which customers' phones cannot reach. Set SIRA_PUBLIC_URL to "
        "the address phones use, e.g. https://sira.example-bank.com"
    )
