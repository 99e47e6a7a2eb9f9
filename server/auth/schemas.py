"""Login and session answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.domain.roles import Role


class LoginPublic(BaseModel):
    """A new staff session: the bearer token and who it signs in."""

    access_token: str = Field(description="send as `Authorization: Bearer TOKEN`")
    token_type: str = Field(examples=["bearer"])
    role: Role
    branch: str | None = Field(description="code of the user's own branch; null for an admin")
    username: str
    expires_in: int = Field(description="seconds until the session ends")
    must_change_password: bool = Field(
        default=False,
        description="true: the password was reset; choose a new one (POST /auth/password) "
        "before anything else (other calls answer 403 password_change_required)",
    )


class MePublic(BaseModel):
    """Who the caller is: a staff member or a device."""

    role: Role
    username: str | None = Field(description="the staff member's username; null for a device")
    name: str = Field(description="the user's name, or the device's")
    branch: str | None = Field(description="code of the caller's own branch; null for an admin")
    branches: list[str] | None = Field(
        description="every branch the caller may see (a regional manager's too); null: all"
    )
    user_id: int | None = Field(description="set for staff")
    device_id: int | None = Field(description="set for a device")
    language: str | None = Field(
        default=None,
        description="the staff screens' language remembered for the user (null: none chosen, "
        "the browser's is used)",
    )
    lang: str = Field(
        description="the language the staff screens use for the caller: the remembered one, "
        "else the branch's default when it is a staff language, else en",
        examples=["tr"],
    )
    must_change_password: bool = Field(
        default=False, description="true: choose a new password before anything else"
    )


STAFF_LANGUAGES = ("en", "tr", "el", "pl")


class LanguageRequest(BaseModel):
    language: Literal["en", "tr", "el", "pl"] = Field(
        description="the staff screens' language: en, tr, el or pl"
    )


class MeUpdate(BaseModel):
    """``PATCH /auth/me``: what a signed-in person may change about themselves."""

    model_config = ConfigDict(extra="forbid")

    lang: Literal["en", "tr", "el", "pl"] = Field(
        description="the staff screens' language: en, tr, el or pl"
    )


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(
        min_length=8, max_length=200, description="at least 8 characters, not the username"
    )
