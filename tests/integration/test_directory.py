"""AccountDirectory over moto Organizations: OU rules resolve to the accounts below the OU, names come
from the config first, and Organizations is read again only after a while."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from jit_access.directory import REFRESH_SECONDS, AccountDirectory
from jit_access.edges.organizations import Organization


@pytest.fixture
def org(aws):
    client = boto3.client("organizations", region_name="us-east-1")
    client.create_organization(FeatureSet="ALL")
    return client


def new_account(client, name, parent=None):
    account_id = client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"][
        "AccountId"
    ]
    if parent:
        root = client.list_roots()["Roots"][0]["Id"]
        client.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=parent)
    return account_id


def new_ou(client, name, parent=None):
    parent = parent or client.list_roots()["Roots"][0]["Id"]
    return client.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_an_ou_holds_the_accounts_in_it_and_in_the_ous_below(org):
    workloads = new_ou(org, "workloads")
    sandbox = new_ou(org, "sandbox", parent=workloads)
    direct = new_account(org, "shared", parent=workloads)
    nested = new_account(org, "play", parent=sandbox)
    elsewhere = new_account(org, "production")

    directory = AccountDirectory(
        organization=Organization(organizations=org), configured_names={}, ou_ids=[workloads]
    )

    assert directory.ou_accounts() == {workloads: frozenset({direct, nested})}
    assert elsewhere not in directory.ou_accounts()[workloads]


def test_names_from_the_config_win_and_organizations_fills_the_rest(org):
    prod = new_account(org, "production")
    logs = new_account(org, "log-archive")

    directory = AccountDirectory(
        organization=Organization(organizations=org), configured_names={prod: "prod (EU)"}, ou_ids=[]
    )

    assert directory.names()[prod] == "prod (EU)"
    assert directory.names()[logs] == "log-archive"


def test_organizations_is_read_again_only_after_the_refresh_interval(org):
    workloads = new_ou(org, "workloads")
    clock = Clock()
    directory = AccountDirectory(
        organization=Organization(organizations=org), configured_names={}, ou_ids=[workloads], clock=clock
    )
    assert directory.ou_accounts()[workloads] == frozenset()

    moved_in = new_account(org, "new-team", parent=workloads)
    clock.now += REFRESH_SECONDS - 1
    assert directory.ou_accounts()[workloads] == frozenset()
    clock.now += 2
    assert directory.ou_accounts()[workloads] == frozenset({moved_in})


def test_an_ou_that_cannot_be_read_matches_no_account():
    client = boto3.client("organizations", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("list_accounts_for_parent", "AccessDeniedException", http_status_code=403)
        directory = AccountDirectory(
            organization=Organization(organizations=client), configured_names={}, ou_ids=["ou-ab12-cdef3456"]
        )
        assert directory.ou_accounts() == {"ou-ab12-cdef3456": frozenset()}
