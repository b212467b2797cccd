"""IAM Identity Center (sso-admin) and its identity store: users, groups, permission sets, account
assignments and group memberships.

Group memberships are synchronous in the identity store; they are made and removed idempotently (a
membership already present is found, not duplicated; one already gone counts as removed).

Assignment creation and deletion are asynchronous in AWS: the call returns a request, whose status is
polled here to SUCCEEDED or FAILED within a bound. Conflict ("another operation is in progress") and
throttling are retried with jittered backoff; refusals are explained in words.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from jit_access.edges.retry import AwsError, call_with_retry, is_access_denied
from jit_access.errors import EdgeError

log = logging.getLogger(__name__)

# Identity store group ids: a UUID, optionally prefixed with 10 hex digits and a hyphen.
GROUP_ID = re.compile(
    r"^([0-9a-f]{10}-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
_DESCRIBE_WORKERS = 8


@dataclass(frozen=True)
class AssignmentResult:
    status: str  # "SUCCEEDED" | "FAILED"
    request_id: str
    failure_reason: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == SUCCEEDED


class UserNotFound(EdgeError):
    """No Identity Center user has the email address."""


class GroupNotFound(EdgeError):
    """No Identity Center group has the display name or id."""


class AmbiguousUser(EdgeError):
    """More than one Identity Center user answers to the email address: refused, never guessed."""


class IdentityCenter:
    def __init__(
        self,
        *,
        sso_admin: Any,
        identitystore: Any,
        instance_arn: str,
        identity_store_id: str,
        sleep: Callable[[float], Any] = time.sleep,
        poll_interval: float = 1.0,
        poll_timeout: float = 120.0,
    ):
        self._sso = sso_admin
        self._ids = identitystore
        self._instance_arn = instance_arn
        self._identity_store_id = identity_store_id
        self._sleep = sleep
        self._poll_interval = poll_interval
        self._poll_timeout = poll_timeout
        self._permission_sets: dict[str, str] | None = None

    def _call(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        return call_with_retry(fn, sleep=self._sleep, **kwargs)

    # --- users -------------------------------------------------------------------------------------------

    def find_user_id_by_email(self, email: str) -> str:
        """The user whose `emails.value` is the address (as given, then lower-cased); no UserName guess."""
        email = (email or "").strip()
        if not email or "@" not in email:
            raise UserNotFound(f"{email!r} is not an email address, so no Identity Center user can be found")
        as_given = self._user_id_for_email(email)
        lowered = email.lower()
        if lowered == email:
            found = as_given
        else:
            other = self._user_id_for_email(lowered)
            if as_given and other and as_given != other:
                raise AmbiguousUser(
                    f"two Identity Center users have the email {email} (differing only in upper/lower case): "
                    "refusing to guess; an administrator must make the email unique"
                )
            found = as_given or other
        if not found:
            raise UserNotFound(
                f"no Identity Center user has the email {email}; the Slack profile email must match "
                "the user's email in Identity Center"
            )
        return found

    def _user_id_for_email(self, email: str) -> str | None:
        try:
            response = self._call(
                self._ids.get_user_id,
                IdentityStoreId=self._identity_store_id,
                AlternateIdentifier={
                    "UniqueAttribute": {"AttributePath": "emails.value", "AttributeValue": email}
                },
            )
        except AwsError as error:
            if error.code == "ResourceNotFoundException":
                return None
            raise
        return str(response["UserId"])

    def user_email(self, user_id: str) -> str | None:
        """The user's primary email (or the first one when none is marked primary); None for no such user."""
        try:
            user = self._call(
                self._ids.describe_user, IdentityStoreId=self._identity_store_id, UserId=user_id
            )
        except AwsError as error:
            if error.code == "ResourceNotFoundException":
                return None
            raise
        emails = [e for e in user.get("Emails", []) if e.get("Value")]
        primary = [e for e in emails if e.get("Primary")]
        chosen = (primary or emails or [None])[0]
        return str(chosen["Value"]) if chosen else None

    # --- groups ------------------------------------------------------------------------------------------

    def groups(self, entries: list[str] | tuple[str, ...]) -> dict[str, str]:
        """Group id → display name for each display name or id that names a group; the others are logged
        and left out (a rule naming a group that does not exist grants nothing)."""
        found: dict[str, str] = {}
        for entry in entries:
            try:
                group_id, name = self.find_group(entry)
            except GroupNotFound as error:
                log.error("%s", error)
                continue
            found[group_id] = name
        return found

    def find_group(self, entry: str) -> tuple[str, str]:
        """(group id, display name) of the group with this id, or else with this display name."""
        described = self._describe_group(entry) if GROUP_ID.match(entry) else None
        if described is not None:
            return described
        try:
            response = self._call(
                self._ids.get_group_id,
                IdentityStoreId=self._identity_store_id,
                AlternateIdentifier={
                    "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": entry}
                },
            )
        except AwsError as error:
            if error.code == "ResourceNotFoundException":
                raise GroupNotFound(
                    f"no Identity Center group has the display name or id {entry!r}: the rule naming it "
                    "matches no group"
                ) from error
            raise
        return str(response["GroupId"]), entry

    def _describe_group(self, group_id: str) -> tuple[str, str] | None:
        try:
            group = self._call(
                self._ids.describe_group, IdentityStoreId=self._identity_store_id, GroupId=group_id
            )
        except AwsError as error:
            if error.code in ("ResourceNotFoundException", "ValidationException"):
                return None
            raise
        return str(group["GroupId"]), str(group.get("DisplayName") or group["GroupId"])

    def group_membership_id(self, *, group_id: str, user_id: str) -> str | None:
        """The id of the user's membership of the group, None when the user is not a member."""
        try:
            response = self._call(
                self._ids.get_group_membership_id,
                IdentityStoreId=self._identity_store_id,
                GroupId=group_id,
                MemberId={"UserId": user_id},
            )
        except AwsError as error:
            if error.code == "ResourceNotFoundException":
                return None
            raise
        return str(response["MembershipId"])

    def has_group_membership(self, *, group_id: str, user_id: str) -> bool:
        return self.group_membership_id(group_id=group_id, user_id=user_id) is not None

    def create_group_membership(self, *, group_id: str, user_id: str) -> AssignmentResult:
        """Make the user a member of the group; a membership already there is kept (a redelivery)."""
        existing = self.group_membership_id(group_id=group_id, user_id=user_id)
        if existing is not None:
            return AssignmentResult(SUCCEEDED, existing, None)
        try:
            response = self._call(
                self._ids.create_group_membership,
                IdentityStoreId=self._identity_store_id,
                GroupId=group_id,
                MemberId={"UserId": user_id},
            )
        except AwsError as error:
            raise _explain_group(error, "add", group_id, user_id) from error
        return AssignmentResult(SUCCEEDED, str(response["MembershipId"]), None)

    def delete_group_membership(self, *, group_id: str, user_id: str) -> AssignmentResult:
        """Remove the user from the group. A membership that no longer exists counts as removed."""
        membership_id = self.group_membership_id(group_id=group_id, user_id=user_id)
        if membership_id is None:
            log.info("membership of %s in group %s was already gone", user_id, group_id)
            return AssignmentResult(SUCCEEDED, "", None)
        try:
            self._call(
                self._ids.delete_group_membership,
                IdentityStoreId=self._identity_store_id,
                MembershipId=membership_id,
            )
        except AwsError as error:
            if error.code != "ResourceNotFoundException":
                raise _explain_group(error, "remove", group_id, user_id) from error
        return AssignmentResult(SUCCEEDED, membership_id, None)

    # --- permission sets ---------------------------------------------------------------------------------

    def permission_sets(self) -> dict[str, str]:
        """Name → ARN of every permission set of the instance; read once per instance of this class."""
        if self._permission_sets is None:
            arns: list[str] = []
            token = None
            while True:
                page = self._call(
                    self._sso.list_permission_sets,
                    InstanceArn=self._instance_arn,
                    MaxResults=100,
                    **({"NextToken": token} if token else {}),
                )
                arns.extend(page.get("PermissionSets", []))
                token = page.get("NextToken")
                if not token:
                    break
            # The Slack modal waits on this list: describe in parallel (boto3 clients are thread-safe).
            with ThreadPoolExecutor(max_workers=max(1, min(_DESCRIBE_WORKERS, len(arns)))) as pool:
                names = list(pool.map(self._permission_set_name, arns))
            self._permission_sets = dict(zip(names, arns, strict=True))
        return dict(self._permission_sets)

    def _permission_set_name(self, arn: str) -> str:
        response = self._call(
            self._sso.describe_permission_set, InstanceArn=self._instance_arn, PermissionSetArn=arn
        )
        return str(response["PermissionSet"]["Name"])

    # --- assignments -------------------------------------------------------------------------------------

    def _assignment(self, account_id: str, permission_set_arn: str, user_id: str) -> dict[str, str]:
        return {
            "InstanceArn": self._instance_arn,
            "TargetId": account_id,
            "TargetType": "AWS_ACCOUNT",
            "PermissionSetArn": permission_set_arn,
            "PrincipalType": "USER",
            "PrincipalId": user_id,
        }

    def create_assignment(
        self, *, account_id: str, permission_set_arn: str, user_id: str
    ) -> AssignmentResult:
        """Assign the permission set on the account to the user and wait for the outcome."""
        try:
            response = self._call(
                self._sso.create_account_assignment,
                **self._assignment(account_id, permission_set_arn, user_id),
            )
        except AwsError as error:
            raise _explain(error, "assign", account_id, permission_set_arn, user_id) from error
        status = response["AccountAssignmentCreationStatus"]
        result = self._wait(
            status,
            self._sso.describe_account_assignment_creation_status,
            "AccountAssignmentCreationRequestId",
            "AccountAssignmentCreationStatus",
            what=f"assignment of {permission_set_arn} on account {account_id} to user {user_id}",
        )
        if result is None:  # the status carried no Status field (emulators): look at the outcome itself
            present = self.has_assignment(
                account_id=account_id, permission_set_arn=permission_set_arn, user_id=user_id
            )
            result = AssignmentResult(
                SUCCEEDED if present else FAILED,
                str(status.get("RequestId", "")),
                None if present else "the assignment is not present after the request completed",
            )
        return result

    def delete_assignment(
        self, *, account_id: str, permission_set_arn: str, user_id: str
    ) -> AssignmentResult:
        """Remove the assignment and wait. One that no longer exists counts as removed (idempotent)."""
        try:
            response = self._call(
                self._sso.delete_account_assignment,
                **self._assignment(account_id, permission_set_arn, user_id),
            )
        except AwsError as error:
            if error.code == "ResourceNotFoundException" and not self.has_assignment(
                account_id=account_id, permission_set_arn=permission_set_arn, user_id=user_id
            ):
                log.info(
                    "assignment of %s on %s to %s was already gone", permission_set_arn, account_id, user_id
                )
                return AssignmentResult(SUCCEEDED, "", None)
            raise _explain(error, "remove", account_id, permission_set_arn, user_id) from error
        status = response["AccountAssignmentDeletionStatus"]
        result = self._wait(
            status,
            self._sso.describe_account_assignment_deletion_status,
            "AccountAssignmentDeletionRequestId",
            "AccountAssignmentDeletionStatus",
            what=f"removal of {permission_set_arn} on account {account_id} from user {user_id}",
        )
        if result is not None and result.succeeded:
            return result
        request_id = str(status.get("RequestId", ""))
        if self.has_assignment(account_id=account_id, permission_set_arn=permission_set_arn, user_id=user_id):
            return result or AssignmentResult(FAILED, request_id, "the assignment is still present")
        if result is not None:  # a failed deletion of an assignment that is gone still leaves no access
            log.info("deletion %s reported %r, but the assignment is gone", request_id, result.failure_reason)
        return AssignmentResult(SUCCEEDED, request_id, None)

    def has_assignment(self, *, account_id: str, permission_set_arn: str, user_id: str) -> bool:
        token = None
        while True:
            page = self._call(
                self._sso.list_account_assignments,
                InstanceArn=self._instance_arn,
                AccountId=account_id,
                PermissionSetArn=permission_set_arn,
                MaxResults=100,
                **({"NextToken": token} if token else {}),
            )
            for assignment in page.get("AccountAssignments", []):
                if assignment.get("PrincipalType") == "USER" and assignment.get("PrincipalId") == user_id:
                    return True
            token = page.get("NextToken")
            if not token:
                return False

    def _wait(
        self,
        status: dict[str, Any],
        describe: Callable[..., Any],
        request_id_param: str,
        status_field: str,
        *,
        what: str,
    ) -> AssignmentResult | None:
        """Poll to SUCCEEDED or FAILED; None when AWS gives no status; retryable EdgeError on timeout."""
        request_id = str(status.get("RequestId", ""))
        waited = 0.0
        while True:
            state = status.get("Status")
            if state in (SUCCEEDED, FAILED):
                reason = status.get("FailureReason") if state == FAILED else None
                return AssignmentResult(
                    state, request_id, reason or (f"{what} failed" if state == FAILED else None)
                )
            if state is None:
                return None
            if waited >= self._poll_timeout:
                raise EdgeError(
                    f"the {what} was still {state} after {self._poll_timeout:.0f} s (request {request_id}); "
                    "it may still complete",
                    retryable=True,
                )
            self._sleep(self._poll_interval)
            waited += self._poll_interval
            status = self._call(describe, InstanceArn=self._instance_arn, **{request_id_param: request_id})[
                status_field
            ]


def _explain(error: AwsError, verb: str, account_id: str, permission_set_arn: str, user_id: str) -> AwsError:
    """An AwsError whose message says in words why Identity Center refused."""
    target = f"{permission_set_arn} on account {account_id} for user {user_id}"
    aws_message = str(getattr(error.cause, "response", {}).get("Error", {}).get("Message", "")).strip()
    if is_access_denied(error.code):
        words = (
            f"Identity Center refused to {verb} {target}: access denied ({aws_message}). "
            "Either the Lambda role lacks the sso:*AccountAssignment permissions for this account, or "
            "the account is the organization's management account, which cannot be assigned from a "
            "delegated administrator account (only from the management account itself)."
        )
    elif error.code == "ValidationException":
        words = (
            f"Identity Center rejected the request to {verb} {target} as invalid ({aws_message}): check that "
            "the account belongs to the organization and the permission set belongs to this instance."
        )
    elif error.code == "ResourceNotFoundException":
        words = (
            f"Identity Center could not {verb} {target}: the permission set, user or instance does not "
            f"exist ({aws_message})."
        )
    elif error.code == "ServiceQuotaExceededException":
        words = f"Identity Center could not {verb} {target}: a service quota is exhausted ({aws_message})."
    else:
        return error
    return AwsError(
        words, code=error.code, operation=error.operation, retryable=error.retryable, cause=error.cause
    )


def _explain_group(error: AwsError, verb: str, group_id: str, user_id: str) -> AwsError:
    """An AwsError whose message says in words why the identity store refused a membership change."""
    target = f"user {user_id} {'to' if verb == 'add' else 'from'} group {group_id}"
    aws_message = str(getattr(error.cause, "response", {}).get("Error", {}).get("Message", "")).strip()
    if is_access_denied(error.code):
        words = (
            f"the identity store refused to {verb} {target}: access denied ({aws_message}). The Lambda role "
            "lacks identitystore:*GroupMembership permissions, or the group is managed by an external "
            "identity provider (SCIM), whose groups cannot be changed in Identity Center."
        )
    elif error.code in ("ResourceNotFoundException", "ValidationException"):
        words = f"the identity store could not {verb} {target}: no such group or user ({aws_message})."
    else:
        return error
    return AwsError(
        words, code=error.code, operation=error.operation, retryable=error.retryable, cause=error.cause
    )
