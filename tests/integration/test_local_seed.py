"""The local stack's seed: the demo organisation in the emulator, rules the functions accept, the CLI."""

from __future__ import annotations

import boto3

from jit_access.cli import build_parser
from jit_access.config import Config
from jit_access.local import seed


def test_seed_creates_accounts_permission_sets_and_people(aws: None) -> None:
    session = boto3.session.Session(region_name=seed.REGION)

    seeded = seed.seed(session, endpoint_url=None, region=seed.REGION)  # type: ignore[arg-type]

    assert set(seeded.accounts) == {"production", "log-archive", "security", "sandbox"}
    organizations = session.client("organizations")
    (parent,) = organizations.list_parents(ChildId=seeded.accounts["sandbox"])["Parents"]
    assert parent == {"Id": seeded.sandbox_ou, "Type": "ORGANIZATIONAL_UNIT"}
    assert all(len(a) == 12 and a.isdigit() for a in seeded.accounts.values())
    assert set(seeded.permission_sets) == {"AdministratorAccess", "ReadOnlyAccess"}
    identitystore = session.client("identitystore")
    alice = identitystore.get_user_id(
        IdentityStoreId=seeded.identity_store_id,
        AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "emails.value", "AttributeValue": "alice@example.com"}
        },
    )
    assert alice["UserId"] == seeded.user_ids["alice"]
    assert seeded.user_ids["dave"] is None
    users = {u["name"]: u for u in seeded.users()}
    assert users["bob"]["slack_email"] == "Bob@Example.com" and users["bob"]["email"] == "bob@example.com"
    assert {"name", "slack_id", "email", "identity_center_user_id", "role"} <= set(users["alice"])
    oncall = identitystore.describe_group(
        IdentityStoreId=seeded.identity_store_id, GroupId=seeded.groups["Oncall"]
    )
    assert oncall["DisplayName"] == "Oncall"


def test_the_demo_rules_are_a_valid_config() -> None:
    accounts = {"production": "111111111111", "log-archive": "222222222222", "security": "333333333333"}

    config = Config.model_validate(
        {
            "slack": {"team_id": seed.TEAM_ID, "channel_id": seed.CHANNEL_ID},
            "rules": seed.demo_rules(accounts, "ou-ab12-cdef3456"),
            "group_rules": seed.demo_group_rules(),
        }
    )

    assert [r.id for r in config.rules] == [
        "sandbox-read-only",
        "production-admin",
        "production-read-only",
        "log-archive-read-only",
        "log-archive-admin",
        "security-admin",
        "admin-never-self-approved",
    ]
    assert config.rules[3].allow_self_approval is True
    assert config.rules[5].required_approvals == 2
    (oncall,) = config.group_rules
    assert (oncall.id, oncall.groups, oncall.approvers) == ("oncall", ("Oncall",), ("bob@example.com",))


def test_the_cli_wires_local_up_down_status() -> None:
    parser = build_parser()

    for command in ("up", "down", "status"):
        args = parser.parse_args(["local", command, "--dir", "/tmp/x"])
        assert args.local_command == command and callable(args.func)
