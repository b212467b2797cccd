"""The rendered config object: rules and behaviour settings. Pure: parses bytes, never reads S3 itself.

The checks here are the ones the Terraform `rules` variable makes at plan time, so a config the module
accepts is one the functions accept, and `jit-access policy check` (which validates with these same models)
says what either would say.
"""

from __future__ import annotations

import hashlib
import json
import re
from abc import abstractmethod
from collections.abc import Sequence
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jit_access.core.timeutil import parse_duration
from jit_access.errors import ConfigError

ACCOUNT_ID = re.compile(r"^\d{12}$")
OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")
RULE_ID = re.compile(r"^[A-Za-z0-9._-]{0,64}$")
PERMISSION_SET_NAME = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,32}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Identity Center group display names: up to 1024 characters; ids are UUIDs (optionally prefixed).
GROUP = re.compile(r"^(?=.*\S)[^\x00-\x1f\x7f]{1,1024}$")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Limits(_Strict):
    """What every kind of rule says about approval and limits; `Rule` and `GroupRule` add their targets."""

    id: str = ""
    approvers: tuple[str, ...] = ()
    required_approvals: int = Field(default=1, ge=1, le=10)
    allow_self_approval: bool | None = None
    approval_not_required: bool | None = None
    max_duration: str | None = None
    reason_min_length: int | None = Field(default=None, ge=0, le=3000)
    ticket_pattern: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError(
                f"{value!r} is not a rule id: up to 64 letters, digits, dots, underscores and hyphens"
            )
        return value

    @field_validator("approvers")
    @classmethod
    def _emails(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not EMAIL.match(value.strip()):
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
            try:
                re.compile(value)
            except re.error as error:
                raise ValueError(f"{value!r} is not a regular expression: {error}") from error
        return value

    @model_validator(mode="after")
    def _approvable(self) -> _Limits:
        distinct = len(set(self.approvers))
        if self.approval_not_required is not True and distinct < self.required_approvals:
            raise ValueError(
                f"needs {self.required_approvals} approval(s) but names {distinct} approver(s), so its "
                "requests could never be approved: list more approvers, lower required_approvals, or set "
                "approval_not_required to true"
            )
        return self

    @model_validator(mode="after")
    def _derive_id(self) -> _Limits:
        if not self.id:
            object.__setattr__(self, "id", self.derived_id)
        return self

    @property
    @abstractmethod
    def derived_id(self) -> str:
        """The id a rule without one gets, from its targets: each kind of rule says how."""

    @property
    def max_duration_delta(self) -> timedelta | None:
        return parse_duration(self.max_duration) if self.max_duration else None


class Rule(_Limits):
    """Who may get which permission set on which accounts, and who approves it."""

    accounts: tuple[str, ...] = Field(min_length=1)
    exclude_accounts: tuple[str, ...] = ()
    permission_sets: tuple[str, ...] = Field(min_length=1)

    @field_validator("accounts", "exclude_accounts")
    @classmethod
    def _account_targets(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if value != "*" and not ACCOUNT_ID.match(value) and not OU_ID.match(value):
                raise ValueError(f"{value!r} is not a 12-digit account id, an OU id or '*'")
        return values

    @field_validator("permission_sets")
    @classmethod
    def _permission_sets(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if value != "*" and not PERMISSION_SET_NAME.match(value):
                raise ValueError(
                    f"{value!r} is not a permission set name (up to 32 of A-Z a-z 0-9 + = , . @ _ -) or '*'"
                )
        return values

    @property
    def derived_id(self) -> str:
        """The id a rule without one gets. Stable across deploys: derived from what the rule targets, not
        from its position in the list."""
        basis = json.dumps([self.accounts, self.exclude_accounts, self.permission_sets], sort_keys=True)
        return "rule-" + hashlib.sha256(basis.encode()).hexdigest()[:10]


class GroupRule(_Limits):
    """Who may become a member of which Identity Center groups for a while, and who approves it. `groups`
    are display names or group ids; a request names one group and matches only group rules."""

    groups: tuple[str, ...] = Field(min_length=1)

    @field_validator("groups")
    @classmethod
    def _groups(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not GROUP.match(value):
                raise ValueError(
                    f"{value!r} is not a group display name or id: 1 to 1024 characters, not only spaces, "
                    "without control characters"
                )
        return values

    @property
    def derived_id(self) -> str:
        basis = json.dumps([self.groups], sort_keys=True)
        return "group-rule-" + hashlib.sha256(basis.encode()).hexdigest()[:10]


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


def rule_set_problems(rules: Sequence[_Limits], name: str = "rules") -> list[str]:
    """What no single rule shows: ids that repeat (written twice, or derived alike from the same targets)."""
    where: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        where.setdefault(rule.id, []).append(index)
    targets = "groups" if name == "group_rules" else "accounts, exclude_accounts and permission_sets"
    problems = []
    for rule_id, indices in where.items():
        if len(indices) > 1:
            places = " and ".join(f"{name}[{i}]" for i in indices)
            if all(rules[i].id == rules[i].derived_id for i in indices):
                problems.append(
                    f"{places} have no id and the same {targets}, so "
                    f"each would get the id {rule_id!r}: give them their own ids"
                )
            else:
                problems.append(f"{places} have the same id {rule_id!r}: rule ids must be unique")
    return problems


class Policy(_Strict):
    """What the decisions read (core/rules.py): the rules, the group rules and the limit where no rule sets
    one."""

    default_max_duration: str = "8h"
    rules: tuple[Rule, ...] = ()
    group_rules: tuple[GroupRule, ...] = ()

    @field_validator("default_max_duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @model_validator(mode="after")
    def _rule_set(self) -> Policy:
        problems = rule_set_problems(self.rules) + rule_set_problems(self.group_rules, "group_rules")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def default_max_duration_delta(self) -> timedelta:
        return parse_duration(self.default_max_duration)


class Config(Policy):
    schema_version: Literal[1] = 1
    slack: SlackSettings
    duration_choices: tuple[str, ...] = ("30m", "1h", "2h", "4h", "8h")
    reconcile_mode: Literal["warn", "enforce"] = "warn"
    account_names: dict[str, str] = {}

    @field_validator("duration_choices")
    @classmethod
    def _choices(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        if not values:
            raise ValueError("at least one duration choice is needed")
        for value in values:
            parse_duration(value)
        return values

    @classmethod
    def parse(cls, raw: bytes | str) -> Config:
        """Bytes of the config object → Config, or a ConfigError that names every problem."""
        try:
            document = json.loads(raw)
        except ValueError as error:
            raise ConfigError(f"the jit-access config object is not JSON: {error}") from error
        try:
            return cls.model_validate(document)
        except ValidationError as error:
            # In the words `jit-access policy check` uses: the function's one log line says rule and field.
            from jit_access.policy_file import describe  # imports this module

            problems = "; ".join(describe(error, document, cls))
            raise ConfigError(f"invalid jit-access config: {problems}") from error


def config_sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
