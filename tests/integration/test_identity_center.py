"""IdentityCenter against moto (users, permission sets, assignments) and a Stubber (async statuses)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import ANY, Stubber

from jit_access.edges.identity_center import AmbiguousUser, IdentityCenter, UserNotFound
from jit_access.errors import EdgeError

ACCOUNT = "111111111111"
INSTANCE = "arn:aws:sso:::instance/ssoins-1111111111111111"
PS_ARN = f"{INSTANCE}/ps-1111111111111111"
REQ = "11111111-1111-1111-1111-111111111111"
DEL1 = "22222222-2222-2222-2222-222222222222"
DEL2 = "33333333-3333-3333-3333-333333333333"


class Recorder:
    """The moto client, counting calls; list calls get at most `page` results so pagination is exercised."""

    def __init__(self, client, page: int = 1):
        self._client = client
        self._page = page
        self.calls: list[str] = []

    def __getattr__(self, name):
        method = getattr(self._client, name)

        def call(**params):
            self.calls.append(name)
            if name.startswith("list_") and "MaxResults" in params:
                params["MaxResults"] = self._page
            return method(**params)

        return call


@pytest.fixture
def sso(aws):
    return boto3.client("sso-admin", region_name="us-east-1")


@pytest.fixture
def identitystore(aws):
    return boto3.client("identitystore", region_name="us-east-1")


@pytest.fixture
def instance(sso):
    found = sso.list_instances()["Instances"][0]
    return found["InstanceArn"], found["IdentityStoreId"]


def make_user(identitystore, store_id, user_name, *emails, primary=None):
    return identitystore.create_user(
        IdentityStoreId=store_id,
        UserName=user_name,
        DisplayName=user_name,
        Name={"GivenName": user_name, "FamilyName": "Test"},
        Emails=[{"Value": e, "Type": "work", "Primary": e == primary} for e in emails],
    )["UserId"]


@pytest.fixture
def center(sso, identitystore, instance):
    instance_arn, store_id = instance
    return IdentityCenter(
        sso_admin=Recorder(sso),
        identitystore=identitystore,
        instance_arn=instance_arn,
        identity_store_id=store_id,
        sleep=lambda _: None,
    )


# --- users --------------------------------------------------------------------------------------------------


def test_user_found_by_email(center, identitystore, instance):
    alice = make_user(identitystore, instance[1], "alice", "alice@example.com")

    assert center.find_user_id_by_email("alice@example.com") == alice


def test_mixed_case_slack_email_finds_the_lower_case_user(center, identitystore, instance):
    alice = make_user(identitystore, instance[1], "alice", "alice@example.com")

    assert center.find_user_id_by_email("Alice@Example.COM") == alice


def test_user_names_are_never_guessed(center, identitystore, instance):
    make_user(identitystore, instance[1], "carol@example.com", "carol.smith@example.com")

    with pytest.raises(UserNotFound, match=r"no Identity Center user has the email carol@example\.com"):
        center.find_user_id_by_email("carol@example.com")


def test_two_users_differing_only_in_case_are_refused(center, identitystore, instance):
    make_user(identitystore, instance[1], "dave1", "Dave@example.com")
    make_user(identitystore, instance[1], "dave2", "dave@example.com")

    with pytest.raises(AmbiguousUser, match="refusing to guess"):
        center.find_user_id_by_email("Dave@example.com")


def test_empty_email_is_not_looked_up(center):
    with pytest.raises(UserNotFound):
        center.find_user_id_by_email("")


def test_user_email_prefers_the_primary(center, identitystore, instance):
    user = make_user(
        identitystore, instance[1], "erin", "erin@old.example", "erin@example.com", primary="erin@example.com"
    )

    assert center.user_email(user) == "erin@example.com"
    assert center.user_email("00000000-0000-0000-0000-000000000000") is None


# --- permission sets ----------------------------------------------------------------------------------------


def test_permission_sets_by_name_across_pages_read_once(center, sso, instance):
    expected = {
        name: sso.create_permission_set(Name=name, InstanceArn=instance[0])["PermissionSet"][
            "PermissionSetArn"
        ]
        for name in ("AdministratorAccess", "ReadOnly", "Billing")
    }

    assert center.permission_sets() == expected
    calls = list(center._sso.calls)
    assert calls.count("list_permission_sets") == 3  # one set per page
    assert center.permission_sets() == expected
    assert center._sso.calls == calls  # cached for the instance's lifetime


# --- assignments against moto -------------------------------------------------------------------------------


@pytest.fixture
def target(sso, identitystore, instance):
    ps = sso.create_permission_set(Name="AdministratorAccess", InstanceArn=instance[0])["PermissionSet"]
    user = make_user(identitystore, instance[1], "frank", "frank@example.com")
    return {"account_id": ACCOUNT, "permission_set_arn": ps["PermissionSetArn"], "user_id": user}


def principals(sso, instance_arn, target):
    page = sso.list_account_assignments(
        InstanceArn=instance_arn,
        AccountId=target["account_id"],
        PermissionSetArn=target["permission_set_arn"],
    )
    return [a["PrincipalId"] for a in page["AccountAssignments"]]


def test_assignment_round_trip(center, sso, instance, target):
    created = center.create_assignment(**target)

    assert created.status == "SUCCEEDED"
    assert created.request_id
    assert principals(sso, instance[0], target) == [target["user_id"]]
    assert center.has_assignment(**target)

    deleted = center.delete_assignment(**target)

    assert deleted.status == "SUCCEEDED"
    assert principals(sso, instance[0], target) == []
    assert not center.has_assignment(**target)


def test_deleting_an_assignment_that_is_gone_succeeds(center, sso, instance, target):
    result = center.delete_assignment(**target)

    assert result.status == "SUCCEEDED"
    assert result.failure_reason is None


def test_has_assignment_reads_every_page(center, sso, identitystore, instance, target):
    for name in ("g1", "g2", "g3"):
        other = make_user(identitystore, instance[1], name, f"{name}@example.com")
        center.create_assignment(**{**target, "user_id": other})
    assert not center.has_assignment(**target)

    center.create_assignment(**target)  # the fourth principal: only on the last page

    assert center.has_assignment(**target)


# --- asynchronous statuses, retries and refusals (Stubber) --------------------------------------------------


@pytest.fixture
def stubbed():
    sso = boto3.client("sso-admin", region_name="us-east-1")
    waits: list[float] = []
    center = IdentityCenter(
        sso_admin=sso,
        identitystore=boto3.client("identitystore", region_name="us-east-1"),
        instance_arn=INSTANCE,
        identity_store_id="d-1234567890",
        sleep=waits.append,
        poll_interval=1.0,
        poll_timeout=3.0,
    )
    with Stubber(sso) as stub:
        yield center, stub, waits
        stub.assert_no_pending_responses()


def status(state, request_id=REQ, reason=None):
    body = {"Status": state, "RequestId": request_id}
    if reason:
        body["FailureReason"] = reason
    return body


TARGET = {"account_id": ACCOUNT, "permission_set_arn": PS_ARN, "user_id": "u-1"}
CREATE_PARAMS = {
    "InstanceArn": INSTANCE,
    "TargetId": ACCOUNT,
    "TargetType": "AWS_ACCOUNT",
    "PermissionSetArn": PS_ARN,
    "PrincipalType": "USER",
    "PrincipalId": "u-1",
}


def test_creation_is_polled_until_it_succeeds(stubbed):
    center, stub, waits = stubbed
    stub.add_response(
        "create_account_assignment", {"AccountAssignmentCreationStatus": status("IN_PROGRESS")}, CREATE_PARAMS
    )
    for state in ("IN_PROGRESS", "SUCCEEDED"):
        stub.add_response(
            "describe_account_assignment_creation_status",
            {"AccountAssignmentCreationStatus": status(state)},
            {"InstanceArn": INSTANCE, "AccountAssignmentCreationRequestId": REQ},
        )

    result = center.create_assignment(**TARGET)

    assert (result.status, result.request_id, result.failure_reason) == ("SUCCEEDED", REQ, None)
    assert waits == [1.0, 1.0]


def test_failed_creation_reports_the_aws_reason(stubbed):
    center, stub, _ = stubbed
    stub.add_response("create_account_assignment", {"AccountAssignmentCreationStatus": status("IN_PROGRESS")})
    stub.add_response(
        "describe_account_assignment_creation_status",
        {
            "AccountAssignmentCreationStatus": status(
                "FAILED", reason="Received a 404 status error: Not supported"
            )
        },
    )

    result = center.create_assignment(**TARGET)

    assert result.status == "FAILED"
    assert result.failure_reason == "Received a 404 status error: Not supported"


def test_creation_still_in_progress_at_the_bound_is_a_retryable_error(stubbed):
    center, stub, waits = stubbed
    stub.add_response("create_account_assignment", {"AccountAssignmentCreationStatus": status("IN_PROGRESS")})
    for _ in range(3):
        stub.add_response(
            "describe_account_assignment_creation_status",
            {"AccountAssignmentCreationStatus": status("IN_PROGRESS")},
        )

    with pytest.raises(EdgeError, match="still IN_PROGRESS") as raised:
        center.create_assignment(**TARGET)

    assert raised.value.retryable
    assert sum(waits) == 3.0


def test_throttled_and_conflicting_creation_is_retried_then_succeeds(stubbed):
    center, stub, waits = stubbed
    stub.add_client_error("create_account_assignment", "ThrottlingException", http_status_code=400)
    stub.add_client_error("create_account_assignment", "ConflictException", http_status_code=409)
    stub.add_response(
        "create_account_assignment", {"AccountAssignmentCreationStatus": status("SUCCEEDED")}, CREATE_PARAMS
    )

    assert center.create_assignment(**TARGET).status == "SUCCEEDED"
    assert len(waits) == 2  # two backoffs, no polling: the first status was final


def test_access_denied_is_not_retried_and_is_explained(stubbed):
    center, stub, waits = stubbed
    stub.add_client_error(
        "create_account_assignment",
        "AccessDeniedException",
        "User is not authorized to perform: sso:CreateAccountAssignment",
        http_status_code=403,
    )

    with pytest.raises(EdgeError) as raised:
        center.create_assignment(**TARGET)

    message = str(raised.value)
    assert waits == []
    assert raised.value.retryable is False
    assert f"account {ACCOUNT}" in message
    assert "management account" in message and "delegated administrator" in message
    assert "not authorized" in message


def test_deletion_failed_but_assignment_gone_counts_as_revoked(stubbed):
    center, stub, _ = stubbed
    stub.add_response(
        "delete_account_assignment", {"AccountAssignmentDeletionStatus": status("IN_PROGRESS", DEL1)}
    )
    stub.add_response(
        "describe_account_assignment_deletion_status",
        {"AccountAssignmentDeletionStatus": status("FAILED", DEL1, "assignment does not exist")},
        {"InstanceArn": INSTANCE, "AccountAssignmentDeletionRequestId": DEL1},
    )
    stub.add_response(
        "list_account_assignments",
        {"AccountAssignments": []},
        {
            "InstanceArn": INSTANCE,
            "AccountId": ACCOUNT,
            "PermissionSetArn": PS_ARN,
            "MaxResults": ANY,
        },
    )

    result = center.delete_assignment(**TARGET)

    assert (result.status, result.request_id) == ("SUCCEEDED", DEL1)


def test_deletion_failed_and_assignment_still_there_is_a_failure(stubbed):
    center, stub, _ = stubbed
    stub.add_response(
        "delete_account_assignment",
        {"AccountAssignmentDeletionStatus": status("FAILED", DEL2, "internal failure")},
    )
    stub.add_response(
        "list_account_assignments",
        {
            "AccountAssignments": [
                {
                    "AccountId": ACCOUNT,
                    "PermissionSetArn": PS_ARN,
                    "PrincipalType": "USER",
                    "PrincipalId": "u-1",
                }
            ]
        },
    )

    result = center.delete_assignment(**TARGET)

    assert (result.status, result.failure_reason) == ("FAILED", "internal failure")
