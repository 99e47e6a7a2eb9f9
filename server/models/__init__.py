"""Table models (SQLModel, table=True) only."""

from sqlmodel import SQLModel

from server.models.ops import Alert, PrintJob, UserBranch
from server.models.org import Branch, Counter, Device, Service, StaffSession, User
from server.models.queue import Event, Ticket, TicketSequence

__all__ = [
    "Alert",
    "PrintJob",
    "UserBranch",
    "Branch",
    "Counter",
    "Device",
    "Event",
    "Service",
    "StaffSession",
    "Ticket",
    "TicketSequence",
    "User",
    "SQLModel",
]
