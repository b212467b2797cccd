"""The rendered config object: rules and behaviour settings. Pure: parses bytes, never reads S3 itself."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jit_access.core.timeutil import parse_duration
from jit_access.errors import ConfigError

ACCOUNT_ID = re.compile(r"^\d{12}$")
OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rule(_Strict):
    """Who may get which permission set on which accounts, and who approves it."""

    id: str = ""
    accounts: tuple[str, ...]
    exclude_accounts: tuple[str, ...] = ()
    permission_sets: tuple[str, ...]
    approvers: tuple[str, ...] = ()
    required_approvals: int = Field(default=1, ge=1, le=10)
    allow_self_approval: bool | None = None
    approval_not_required: bool | None = None
    max_duration: str | None = None
    reason_min_length: int | None = Field(default=None, ge=0, le=3000)
    ticket_pattern: str | None = None

    @field_validator("accounts", "exclude_accounts")
    @classmethod
    def _account_targets(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if value != "*" and not ACCOUNT_ID.match(value) and not OU_ID.match(value):
                raise ValueError(f"{value!r} is not a 12-digit account id, an OU id or '*'")
        return values

    @field_validator("approvers")
    @classmethod
    def _emails(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if "@" not in value:
                raise ValueError(f"approver {value!r} is not an email address")
        return tuple(v.strip().lower() for v in values)

    @field_validator("max_duration")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @field_validator("ticket_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value

    @model_validator(mode="after")
    def _derive_id(self) -> Rule:
        if not self.id:
            # Stable across deploys: derived from what the rule targets, not from its position in the list.
            basis = json.dumps([self.accounts, self.exclude_accounts, self.permission_sets], sort_keys=True)
            object.__setattr__(self, "id", "rule-" + hashlib.sha256(basis.encode()).hexdigest()[:10])
        return self

    @property
    def max_duration_delta(self) -> timedelta | None:
        return parse_duration(self.max_duration) if self.max_duration else None


class SlackSettings(_Strict):
    team_id: str
    channel_id: str
    api_url: str = "https://slack.com/api/"

    @field_validator("team_id", "channel_id")
    @classmethod
    def _slack_id(cls, value: str) -> str:
        if not SLACK_ID.match(value):
            raise ValueError(f"{value!r} is not a Slack id (upper-case letters and digits)")
        return value


class Config(_Strict):
    schema_version: Literal[1] = 1
    slack: SlackSettings
    default_max_duration: str = "8h"
    duration_choices: tuple[str, ...] = ("30m", "1h", "2h", "4h", "8h")
    reconcile_mode: Literal["warn", "enforce"] = "warn"
    account_names: dict[str, str] = {}
    rules: tuple[Rule, ...] = ()

    @field_validator("default_max_duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("duration_choices")
    @classmethod
    def _choices(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        if not values:
            raise ValueError("at least one duration choice is needed")
        for value in values:
            parse_duration(value)
        return values

    @model_validator(mode="after")
    def _unique_rule_ids(self) -> Config:
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"rule ids must be unique; repeated: {', '.join(duplicates)}")
        return self

    @property
    def default_max_duration_delta(self) -> timedelta:
        return parse_duration(self.default_max_duration)

    @classmethod
    def parse(cls, raw: bytes | str) -> Config:
        """Bytes of the config object → Config, or a ConfigError that names every problem."""
        try:
            return cls.model_validate(json.loads(raw))
        except (ValueError, ValidationError) as error:
            raise ConfigError(f"invalid jit-access config: {error}") from error


def config_sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
