"""IdentityCenter's groups against moto: names and ids resolved, memberships made and removed idempotently."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from jit_access.edges.identity_center import GroupNotFound, IdentityCenter
from jit_access.edges.retry import AwsError

from .test_identity_center import make_user


@pytest.fixture
def identitystore(aws):
    return boto3.client("identitystore", region_name="us-east-1")


@pytest.fixture
def store(aws):
    found = boto3.client("sso-admin", region_name="us-east-1").list_instances()["Instances"][0]
    return found["InstanceArn"], found["IdentityStoreId"]


@pytest.fixture
def center(identitystore, store):
    return IdentityCenter(
        sso_admin=boto3.client("sso-admin", region_name="us-east-1"),
        identitystore=identitystore,
        instance_arn=store[0],
        identity_store_id=store[1],
        sleep=lambda _: None,
    )


@pytest.fixture
def oncall(identitystore, store):
    return identitystore.create_group(IdentityStoreId=store[1], DisplayName="Oncall")["GroupId"]


@pytest.fixture
def alice(identitystore, store):
    return make_user(identitystore, store[1], "alice", "alice@example.com")


def members(identitystore, store, group_id):
    memberships = identitystore.list_group_memberships(IdentityStoreId=store[1], GroupId=group_id)
    return [m["MemberId"]["UserId"] for m in memberships["GroupMemberships"]]


def test_a_group_is_found_by_display_name_or_by_id(center, oncall):
    assert center.find_group("Oncall") == (oncall, "Oncall")
    assert center.find_group(oncall) == (oncall, "Oncall")
    with pytest.raises(GroupNotFound, match="'Payroll'"):
        center.find_group("Payroll")


def test_groups_resolves_what_it_can_and_leaves_out_the_rest(center, oncall):
    assert center.groups(["Oncall", "Payroll", "ffffffff-0000-1111-2222-333344445555"]) == {oncall: "Oncall"}


def test_membership_is_made_then_removed(center, identitystore, store, oncall, alice):
    assert not center.has_group_membership(group_id=oncall, user_id=alice)

    created = center.create_group_membership(group_id=oncall, user_id=alice)
    assert created.succeeded and created.request_id
    assert members(identitystore, store, oncall) == [alice]
    assert center.has_group_membership(group_id=oncall, user_id=alice)

    removed = center.delete_group_membership(group_id=oncall, user_id=alice)
    assert removed.succeeded and removed.request_id == created.request_id
    assert members(identitystore, store, oncall) == []


def test_making_a_membership_twice_keeps_one(center, identitystore, store, oncall, alice):
    first = center.create_group_membership(group_id=oncall, user_id=alice)
    again = center.create_group_membership(group_id=oncall, user_id=alice)
    assert again.request_id == first.request_id
    assert members(identitystore, store, oncall) == [alice]


def test_removing_a_membership_already_gone_counts_as_removed(center, identitystore, store, oncall, alice):
    center.create_group_membership(group_id=oncall, user_id=alice)
    membership = identitystore.get_group_membership_id(
        IdentityStoreId=store[1], GroupId=oncall, MemberId={"UserId": alice}
    )["MembershipId"]
    identitystore.delete_group_membership(IdentityStoreId=store[1], MembershipId=membership)

    assert center.delete_group_membership(group_id=oncall, user_id=alice).succeeded


def test_a_refused_membership_change_is_explained_in_words(store):
    client = boto3.client("identitystore", region_name="us-east-1")
    center = IdentityCenter(
        sso_admin=None,
        identitystore=client,
        instance_arn=store[0],
        identity_store_id=store[1],
        sleep=lambda _: None,
    )
    with Stubber(client) as stub:
        stub.add_client_error("get_group_membership_id", "ResourceNotFoundException")
        stub.add_client_error("create_group_membership", "AccessDeniedException", "not allowed")
        with pytest.raises(AwsError, match="external identity provider") as raised:
            center.create_group_membership(group_id="g", user_id="u")
    assert not raised.value.retryable
