"""Who is calling, and what they may touch."""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.errors import Forbidden
from server.domain.roles import Role

__all__ = ["Principal", "Role"]


STAFF_ROLES = (Role.ADMIN, Role.MANAGER, Role.TELLER)
DEVICE_KINDS = (Role.KIOSK, Role.DISPLAY, Role.SPEAKER, Role.AGENT)


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    branch_id: int | None
    user_id: int | None = None
    device_id: int | None = None
    name: str = ""
    # Branches a manager oversees besides their own (``user_branch``): a regional manager.
    extra_branch_ids: frozenset[int] = frozenset()
    # An administrator reset this user's password: only choosing a new one is allowed.
    must_change_password: bool = False

    @property
    def is_device(self) -> bool:
        return self.device_id is not None

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"a {self.role.value} cannot do this (needs: {allowed})")

    def sees(self, branch_id: int) -> bool:
        """Whether this caller may see anything of branch ``branch_id``."""
        if self.role is Role.ADMIN:
            return True
        return self.branch_id == branch_id or branch_id in self.extra_branch_ids

    @property
    def branch_ids(self) -> frozenset[int] | None:
        """Every branch this caller may see; None for an admin (all of them)."""
        if self.role is Role.ADMIN:
            return None
        own = frozenset() if self.branch_id is None else frozenset({self.branch_id})
        return own | self.extra_branch_ids


# Who may do what: each route declares one of these sets (server/deps.py ``needs``).
SIGNED_IN = (*STAFF_ROLES, *DEVICE_KINDS)
ISSUE = (Role.ADMIN, Role.MANAGER, Role.TELLER, Role.KIOSK)
READ_QUEUE = (*STAFF_ROLES, *DEVICE_KINDS)
OPERATE = (Role.ADMIN, Role.MANAGER, Role.TELLER)
CONFIGURE = (Role.ADMIN, Role.MANAGER)
ADMIN_ONLY = (Role.ADMIN,)
