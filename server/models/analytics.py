"""Analytics tables: each branch's service-cycle map, the kiosk's first-touch timing and the
report rollups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
)
from sqlmodel import Field, SQLModel

from server.models.types import JSONType, UTCDateTime


class ServiceCycle(SQLModel, table=True):
    """A branch's moments of truth (critical or not), their standards per service and the
    calendar overrides. The expected wait and service targets live on ``Service`` itself
    (``standard_wait_s``, ``standard_service_s``) so live metrics and reports agree."""

    __tablename__ = "service_cycle"

    branch_id: int = Field(foreign_key="branch.id", primary_key=True)
    # {moment: {"critical": bool}}
    moments: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    # {service: {moment: {"expected": n, "exclusive": n | None}}}
    standards: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    # [{"label", "dates": [...], "days_of_month": [...], "moments": [...], "factor"}]
    overrides: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONType))
    updated_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class TicketTouch(SQLModel, table=True):
    """Seconds from the customer's first touch of the kiosk to their ticket."""

    __tablename__ = "ticket_touch"

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    touch_s: int


class TicketQuote(SQLModel, table=True):
    """What a customer was told about their wait, and when: the quote at issue and each
    re-quote that changed what their phone showed (moments of truth the accuracy report
    measures against the wait that followed)."""

    __tablename__ = "ticket_quote"
    __table_args__ = (Index("ix_ticket_quote_ticket", "ticket_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    kind: str = Field(max_length=8)  # "issue" or "requote"
    wait_s: int
    low_s: int | None = None
    high_s: int | None = None
    position: int | None = None
    rough: bool = False
    fallback: bool = False  # the old formula quoted (the estimator failed or could not say)


# --- Report rollups (server/reports/build.py builds them) --------------------------------
# Closed business days are summarised once, so a report over a year reads a few rows per day
# instead of every ticket; the current day (and any day changed since) is computed live.


class ReportState(SQLModel, table=True):
    """How far a branch's rollups reach and what they were built with."""

    __tablename__ = "report_state"

    branch_id: int = Field(foreign_key="branch.id", primary_key=True)
    # Facts (local hour, weekday) follow the branch's timezone; grades follow the cycle map.
    timezone: str = Field(max_length=64)
    grading: str = Field(max_length=64)
    # Every business day up to here is summarised (except those changed since, see seq).
    built_through: dt.date
    # Events up to this per-branch seq have been folded in: a later event on a ticket of a
    # summarised day makes that day live again until the next refresh rebuilds it.
    checked_seq: int = 0
    # What the value histograms were built for (``server.reports.hist.key``): they depend on
    # which services have standards, not on the targets, so most edits keep them.
    hist_key: str | None = Field(default=None, max_length=300)


# One narrow row per ticket of a summarised day: measured values in integer milliseconds
# (exactly the reports' 3-decimal seconds) for exact percentiles by index order.
report_fact = Table(
    "report_fact",
    SQLModel.metadata,
    Column("ticket_id", Integer, primary_key=True, autoincrement=False),
    Column("branch_id", Integer, nullable=False),
    Column("business_date", Date, nullable=False),
    Column("hour", SmallInteger, nullable=False),
    Column("weekday", SmallInteger, nullable=False),
    Column("svc", String(4), nullable=False),
    Column("final_svc", String(4), nullable=False),
    Column("status", String(16), nullable=False),
    Column("counter_id", Integer),
    Column("teller_id", Integer),
    Column("quoted_s", Integer, nullable=False),
    # Bit per measured moment (kiosk 1, wait 2, walk 4, service 8, feedback 16).
    Column("vmask", SmallInteger, nullable=False),
    Column("kiosk_s", Integer),
    Column("wait_ms", BigInteger),
    Column("walk_ms", BigInteger),
    Column("service_ms", BigInteger),
    Column("feedback", SmallInteger),
    Column("recovered", SmallInteger, nullable=False),
    Column("finished_at", UTCDateTime()),
    # Call -> finish of a done / no-show ticket with a teller (teller time).
    Column("busy_ms", BigInteger),
    # A ticket never called: how long the customer waited before leaving (cancelled) or, read
    # live, until now. Its wait is judged missed once this passes the standard.
    Column("waiting_ms", BigInteger),
    Index("ix_report_fact_day", "branch_id", "business_date", "wait_ms"),
    Index(
        "ix_report_fact_wait", "branch_id", "wait_ms", "business_date", "vmask", "svc", "final_svc"
    ),
    Index("ix_report_fact_hour", "branch_id", "hour", "wait_ms", "business_date"),
    Index("ix_report_fact_svc", "branch_id", "svc", "wait_ms", "business_date"),
    Index("ix_report_fact_counter", "branch_id", "counter_id", "wait_ms", "business_date"),
    Index("ix_report_fact_teller", "branch_id", "teller_id", "wait_ms", "business_date"),
    Index("ix_report_fact_kiosk", "branch_id", "kiosk_s", "business_date", "svc"),
    Index("ix_report_fact_walk", "branch_id", "walk_ms", "business_date", "final_svc"),
    Index("ix_report_fact_service", "branch_id", "service_ms", "business_date", "final_svc"),
    Index("ix_report_fact_feedback", "branch_id", "feedback", "business_date", "final_svc"),
    Index(
        "ix_report_fact_finished",
        "branch_id",
        "finished_at",
        "business_date",
        "teller_id",
        "final_svc",
        "status",
        "busy_ms",
        "service_ms",
    ),
)

ROLLUP_KEYS = ("business_date", "hour", "weekday", "svc", "counter_id", "teller_id")
_MOMENTS = ("kiosk", "wait", "walk", "service", "feedback")
_BASE = ("served", "no_show", "wait_n", "wait_ms", "service_n", "service_ms", "fb_n", "fb_sum")
# Additive measures per group; names are documented in server/reports/measures.py.
ROLLUP_MEASURES: tuple[str, ...] = (
    "tickets",
    *_BASE,
    "judged",
    "missed",
    *(
        f"m_{m}_{x}"
        for m in _MOMENTS
        for x in ("n", "missed", "expected", "exclusive", "vsum", *_BASE)
    ),
    *(f"sat{i}_{x}" for i in range(7) for x in ("n", "fb_n", "fb_sum")),
    "est_n",
    "est_abs_ms",
    "est_err_ms",
    "est_within",
    "est_within_target",
    "rec_recovered",
    "rec_fb_n1",
    "rec_fb_sum1",
    "rec_fb_n0",
    "rec_fb_sum0",
)

# Sums per (business day, local hour, service issued for, last counter, teller).
report_rollup = Table(
    "report_rollup",
    SQLModel.metadata,
    Column("branch_id", Integer, nullable=False),
    Column("business_date", Date, nullable=False),
    Column("hour", SmallInteger, nullable=False),
    Column("weekday", SmallInteger, nullable=False),
    Column("svc", String(4), nullable=False),
    Column("counter_id", Integer),
    Column("teller_id", Integer),
    *(Column(name, BigInteger, nullable=False) for name in ROLLUP_MEASURES),
    Index("ix_report_rollup_day", "branch_id", "business_date"),
)

# The same sums per summarised day only (reports grouped by day or not grouped at all read
# a row per day), with the day's exact wait percentiles (for ``by=day``).
report_day = Table(
    "report_day",
    SQLModel.metadata,
    Column("branch_id", Integer, primary_key=True, autoincrement=False),
    Column("business_date", Date, primary_key=True),
    Column("wait_p50_ms", BigInteger),
    Column("wait_p90_ms", BigInteger),
    *(Column(name, BigInteger, nullable=False) for name in ROLLUP_MEASURES),
)

# Service-recovery actions logged per summarised day (of the ticket) and action.
report_action = Table(
    "report_action",
    SQLModel.metadata,
    Column("branch_id", Integer, nullable=False),
    Column("business_date", Date, nullable=False),
    Column("action", String()),
    Column("n", BigInteger, nullable=False),
    Index("ix_report_action_day", "branch_id", "business_date"),
)

# Value histograms of the percentile series of ``by=moment`` (see server/reports/hist.py):
# per series, bucket and summarised day the count ``n`` and ``cum``, the running count over
# the branch's days up to that one, so any range's count per bucket is two index seeks.
report_hist = Table(
    "report_hist",
    SQLModel.metadata,
    Column("branch_id", Integer, primary_key=True, autoincrement=False),
    Column("series", SmallInteger, primary_key=True, autoincrement=False),
    Column("bucket", SmallInteger, primary_key=True, autoincrement=False),
    Column("business_date", Date, primary_key=True),
    Column("n", BigInteger, nullable=False),
    Column("cum", BigInteger, nullable=False),
    Index("ix_report_hist_day", "branch_id", "business_date"),
)

# The (series, bucket) pairs a branch's histograms have rows for.
report_hist_pair = Table(
    "report_hist_pair",
    SQLModel.metadata,
    Column("branch_id", Integer, primary_key=True, autoincrement=False),
    Column("series", SmallInteger, primary_key=True, autoincrement=False),
    Column("bucket", SmallInteger, primary_key=True, autoincrement=False),
)
