"""Table models (SQLModel, table=True) only."""

from sqlmodel import SQLModel

from server.models.analytics import (
    ReportState,
    ServiceCycle,
    TicketQuote,
    TicketTouch,
    report_action,
    report_day,
    report_fact,
    report_hist,
    report_hist_pair,
    report_rollup,
)
from server.models.audit import AuditEntry
from server.models.ops import Alert, PrintJob, UserBranch
from server.models.org import (
    Branch,
    BranchLogo,
    Counter,
    Device,
    LoginThrottle,
    Service,
    StaffSession,
    User,
)
from server.models.pairing import Pairing
from server.models.queue import Event, Ticket, TicketSequence

__all__ = [
    "Pairing",
    "AuditEntry",
    "Alert",
    "PrintJob",
    "ReportState",
    "UserBranch",
    "Branch",
    "BranchLogo",
    "Counter",
    "Device",
    "Event",
    "LoginThrottle",
    "Service",
    "ServiceCycle",
    "StaffSession",
    "Ticket",
    "TicketSequence",
    "TicketQuote",
    "TicketTouch",
    "User",
    "SQLModel",
    "report_action",
    "report_day",
    "report_fact",
    "report_hist",
    "report_hist_pair",
    "report_rollup",
]
