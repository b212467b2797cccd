"""Organization against moto Organizations."""

from __future__ import annotations

import logging

import boto3
import pytest
from botocore.stub import Stubber

from jit_access.edges.organizations import Organization


@pytest.fixture
def org_client(aws):
    return boto3.client("organizations", region_name="us-east-1")


def new_account(client, name):
    status = client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
    return status["AccountId"]


def test_names_of_active_accounts_only(org_client):
    org_client.create_organization(FeatureSet="ALL")
    prod = new_account(org_client, "production")
    gone = new_account(org_client, "retired")
    org_client.close_account(AccountId=gone)

    names = Organization(organizations=org_client).account_names()

    assert names[prod] == "production"
    assert gone not in names


@pytest.mark.parametrize("code", ["AWSOrganizationsNotInUseException", "AccessDeniedException"])
def test_unreadable_organization_gives_no_names_and_a_warning(code, caplog):
    """moto answers an empty list without an organization, so the refusals are stubbed."""
    caplog.set_level(logging.WARNING, logger="jit_access")
    client = boto3.client("organizations", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("list_accounts", code, "refused", 400)

        assert Organization(organizations=client).account_names() == {}

    assert "account names unavailable" in caplog.text


def test_throttling_is_not_mistaken_for_no_organization():
    client = boto3.client("organizations", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("list_accounts", "TooManyRequestsException", "slow down", 400)
        stub.add_response("list_accounts", {"Accounts": [_account("111111111111", "prod")], "NextToken": "t"})
        stub.add_response(
            "list_accounts", {"Accounts": [_account("222222222222", "dev")]}, {"NextToken": "t"}
        )

        names = Organization(organizations=client).account_names()

    assert names == {"111111111111": "prod", "222222222222": "dev"}


def _account(account_id, name):
    return {"Id": account_id, "Name": name, "State": "ACTIVE"}


def test_accounts_in_an_ou_include_nested_ous(org_client):
    org_client.create_organization(FeatureSet="ALL")
    root = org_client.list_roots()["Roots"][0]["Id"]
    workloads = org_client.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"][
        "Id"
    ]
    prod_ou = org_client.create_organizational_unit(ParentId=workloads, Name="prod")["OrganizationalUnit"][
        "Id"
    ]
    deep_ou = org_client.create_organizational_unit(ParentId=prod_ou, Name="eu")["OrganizationalUnit"]["Id"]
    placed = {}
    for name, parent in (("dev", workloads), ("prod", prod_ou), ("prod-eu", deep_ou), ("sandbox", root)):
        account = new_account(org_client, name)
        if parent != root:
            org_client.move_account(AccountId=account, SourceParentId=root, DestinationParentId=parent)
        placed[name] = account

    organization = Organization(organizations=org_client)

    assert organization.accounts_in_ou(workloads) == {placed["dev"], placed["prod"], placed["prod-eu"]}
    assert organization.accounts_in_ou(prod_ou) == {placed["prod"], placed["prod-eu"]}
