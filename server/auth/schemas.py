"""Login and session answers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.domain.roles import Role


class LoginPublic(BaseModel):
    """A new staff session: the bearer token and who it signs in."""

    access_token: str = Field(description="send as `Authorization: Bearer TOKEN`")
    token_type: str = Field(examples=["bearer"])
    role: Role
    branch: str | None = Field(description="code of the user's own branch; null for an admin")
    username: str
    expires_in: int = Field(description="seconds until the session ends")


class MePublic(BaseModel):
    """Who the caller is: a staff member or a device."""

    role: Role
    name: str = Field(description="the user's name, or the device's")
    branch: str | None = Field(description="code of the caller's own branch; null for an admin")
    branches: list[str] | None = Field(
        description="every branch the caller may see (a regional manager's too); null: all"
    )
    user_id: int | None = Field(description="set for staff")
    device_id: int | None = Field(description="set for a device")
