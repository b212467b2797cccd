"""The demo organisation used across unit and functional tests: people, accounts, rules."""

from __future__ import annotations

from datetime import UTC, datetime

from jit_access.config import Config
from jit_access.core.lifecycle import Group, Person, Subject
from jit_access.service import AccessService

from .fakes import FakeIdentity, FakeScheduler, FakeSlack, FakeStore

PROD, LOGS = "111111111111", "222222222222"
ADMIN_ARN = "arn:aws:sso:::permissionSet/ssoins-1/ps-admin"
RO_ARN = "arn:aws:sso:::permissionSet/ssoins-1/ps-ro"
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
PEOPLE = {
    "UALICE": "alice@example.com",
    "UBOB": "bob@example.com",
    "UCAROL": "carol@example.com",
    "UMAL": "mallory@example.com",
}
RID = "20261204T100000Z-0000abcd"
ONCALL_ID = "a1b2c3d4-0000-1111-2222-333344445555"


def make_service() -> AccessService:
    config = Config.model_validate(
        {
            "slack": {"team_id": "T1", "channel_id": "CAPPROVALS"},
            "account_names": {PROD: "production", LOGS: "log-archive"},
            "rules": [
                {
                    "id": "prod-admin",
                    "accounts": [PROD],
                    "permission_sets": ["AdministratorAccess"],
                    "approvers": ["bob@example.com"],
                    "max_duration": "2h",
                },
                {
                    "id": "logs-ro",
                    "accounts": [LOGS],
                    "permission_sets": ["ReadOnlyAccess"],
                    "approvers": ["carol@example.com"],
                    "allow_self_approval": True,
                },
            ],
            "group_rules": [
                {"id": "oncall", "groups": ["Oncall"], "approvers": ["bob@example.com"], "max_duration": "4h"}
            ],
        }
    )
    return AccessService(
        config=config,
        config_version="v1",
        store=FakeStore(),
        identity=FakeIdentity(
            users={e: f"id-{e.split('@')[0]}" for e in PEOPLE.values()}, group_names={ONCALL_ID: "Oncall"}
        ),
        scheduler=FakeScheduler(),
        slack=FakeSlack(emails=dict(PEOPLE)),
        clock=lambda: NOW,
    )


def subject(who="UALICE", account=PROD, ps="AdministratorAccess", arn=ADMIN_ARN, minutes=60):
    email = PEOPLE[who]
    return Subject(
        requester=Person(slack_id=who, email=email, identity_center_user_id=f"id-{email.split('@')[0]}"),
        account_id=account,
        permission_set_name=ps,
        permission_set_arn=arn,
        duration_minutes=minutes,
        reason="<!channel> incident 42 https://evil.example",
    )


def group_subject(who="UALICE", minutes=60):
    email = PEOPLE[who]
    return Subject(
        requester=Person(slack_id=who, email=email, identity_center_user_id=f"id-{email.split('@')[0]}"),
        group=Group(id=ONCALL_ID, name="Oncall"),
        duration_minutes=minutes,
        reason="paged: orders queue backing up",
    )
