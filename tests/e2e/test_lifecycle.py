"""The lifecycle as people live it, against the module applied with Terraform to the embedded AWS: Slack
requests signed as Slack signs them, handlers run from the deployed zip, time moved by the local gateway.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jit_access.local import demo
from jit_access.local import stack as local_stack
from jit_access.local.client import LocalStack

from .helpers import (
    audit_event,
    audit_objects,
    audit_slots,
    dms_to,
    ephemerals_to,
    has_access,
    is_member,
    request,
    revoke_schedule_names,
)


def test_approved_access_is_granted_then_revoked_at_the_end_with_a_full_trail(stack: LocalStack):
    request_id = request(
        stack, "alice", "production", "AdministratorAccess", duration="1h", reason="INC-1 db"
    )
    channel_posts = [
        c for c in stack.slack_calls("chat.postMessage") if c["args"]["channel"] == stack.channel_id
    ]
    assert f"<@{stack.user('bob')['slack_id']}>" in str(channel_posts[-1]["args"]), "the approver is named"
    assert not has_access(stack, "alice", "production", "AdministratorAccess")

    approved_at = datetime.now(UTC)
    stack.approve("bob", request_id)
    stack.run()

    assert has_access(stack, "alice", "production", "AdministratorAccess")
    assert f"jit-revoke-{request_id}" in revoke_schedule_names(stack)
    granted = audit_event(stack, request_id, "40-grant")
    assert granted["event"] == "granted"
    assert granted["subject"]["reason"] == "INC-1 db"
    assert audit_event(stack, request_id, "20-decision")["actor"]["email"] == "bob@example.com"
    assert any("granted" in text for text in dms_to(stack, "alice"))

    stack.run(approved_at + timedelta(minutes=59))
    assert has_access(stack, "alice", "production", "AdministratorAccess"), "not revoked before the end"

    stack.run(approved_at + timedelta(hours=1, minutes=1))
    assert not has_access(stack, "alice", "production", "AdministratorAccess")
    assert f"jit-revoke-{request_id}" not in revoke_schedule_names(stack)
    assert audit_slots(stack, request_id) == [
        "00-requested",
        "10-approval-" + stack.user("bob")["slack_id"],
        "20-decision",
        "30-grant-started",
        "40-grant",
        "60-revoke",
    ]
    assert audit_event(stack, request_id, "60-revoke")["details"]["how"] == "schedule"


def test_denied_request_grants_nothing_and_tells_the_requester(stack: LocalStack):
    request_id = request(stack, "alice", "production", "ReadOnlyAccess", duration="1h", reason="look around")

    stack.deny("bob", request_id)
    stack.run()

    assert not has_access(stack, "alice", "production", "ReadOnlyAccess")
    assert f"jit-revoke-{request_id}" not in revoke_schedule_names(stack)
    decision = audit_event(stack, request_id, "20-decision")
    assert decision["event"] == "denied"
    assert decision["actor"]["email"] == "bob@example.com"
    assert any("denied" in text.lower() for text in dms_to(stack, "alice"))


def test_a_click_by_someone_who_may_not_approve_changes_nothing(stack: LocalStack):
    request_id = request(stack, "alice", "production", "AdministratorAccess", duration="1h", reason="INC-2")
    trail_before = audit_objects(stack, request_id)

    stack.approve("carol", request_id)
    stack.run()
    stack.approve("alice", request_id)  # her own production request: the rule does not allow it
    stack.run()

    assert not has_access(stack, "alice", "production", "AdministratorAccess")
    assert audit_objects(stack, request_id) == trail_before
    assert ephemerals_to(stack, "carol") and ephemerals_to(stack, "alice")
    stack.deny("bob", request_id)  # leave nothing pending for the next test
    stack.run()


def test_small_team_self_approval_where_the_rule_allows_it(stack: LocalStack):
    request_id = request(stack, "carol", "log-archive", "ReadOnlyAccess", duration="30m", reason="backups")

    assert has_access(stack, "carol", "log-archive", "ReadOnlyAccess")
    decision = audit_event(stack, request_id, "20-decision")
    assert decision["event"] == "self_approved"
    assert decision["actor"]["email"] == "carol@example.com" == decision["subject"]["requester"]["email"]
    stack.run(datetime.now(UTC) + timedelta(minutes=31))
    assert not has_access(stack, "carol", "log-archive", "ReadOnlyAccess")


def test_someone_without_an_identity_center_user_is_refused_with_a_reason(stack: LocalStack):
    before = set(stack.request_ids())
    stack.press_shortcut("dave")
    response = stack.submit_request("dave", account="production", permission_set="ReadOnlyAccess", reason="x")
    stack.run()

    refusal = response.text + " ".join(dms_to(stack, "dave")) + " ".join(ephemerals_to(stack, "dave"))
    assert "Identity Center" in refusal
    assert set(stack.request_ids()) == before, "nothing was posted for approval"


def test_the_demo_story_passes(stack_dir: Path, capsys):
    assert demo.main(["--dir", str(stack_dir)]) == 0
    assert "Demo complete" in capsys.readouterr().out


def test_a_second_terraform_plan_is_clean(stack_dir: Path):
    paths = local_stack.StackPaths.under(stack_dir)
    stack = LocalStack.load(stack_dir)
    env = local_stack._child_env()
    env.update({"TF_DATA_DIR": str(paths.terraform_data), "TF_IN_AUTOMATION": "1"})
    plan = subprocess.run(
        [
            "terraform",
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            f"-state={paths.terraform_state}",
            f"-var-file={paths.tfvars}",
        ],
        cwd=stack["example_dir"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-2000:]


def test_a_quorum_of_two_needs_two_different_approvers(stack: LocalStack):
    request_id = request(
        stack, "alice", "security", "AdministratorAccess", duration="1h", reason="INC-3 keys"
    )
    posted = str([c["args"] for c in stack.slack_calls("chat.postMessage")])
    assert (
        f"<@{stack.user('bob')['slack_id']}>" in posted and f"<@{stack.user('carol')['slack_id']}>" in posted
    )

    stack.approve("bob", request_id)
    stack.run()
    stack.approve("bob", request_id)  # the same person twice counts once
    stack.run()
    assert not has_access(stack, "alice", "security", "AdministratorAccess")

    stack.approve("carol", request_id)
    stack.run()
    assert has_access(stack, "alice", "security", "AdministratorAccess")
    assert audit_event(stack, request_id, "20-decision")["details"]["approvers"] == [
        stack.user("bob")["slack_id"],
        stack.user("carol")["slack_id"],
    ]
    stack.run(datetime.now(UTC) + timedelta(hours=2))  # revoked: the next test starts from no access


def test_an_explicit_deny_of_self_approval_makes_the_request_wait_for_someone_else(stack: LocalStack):
    # log-archive-admin lets carol approve herself; admin-never-self-approved says no, and no wins.
    request_id = request(
        stack, "carol", "log-archive", "AdministratorAccess", duration="1h", reason="restore"
    )
    assert not has_access(stack, "carol", "log-archive", "AdministratorAccess")

    stack.approve("carol", request_id)
    stack.run()
    assert not has_access(stack, "carol", "log-archive", "AdministratorAccess")
    assert any("own request" in text for text in ephemerals_to(stack, "carol"))

    stack.approve("bob", request_id)
    stack.run()
    assert has_access(stack, "carol", "log-archive", "AdministratorAccess")
    stack.run(datetime.now(UTC) + timedelta(hours=2))


def test_a_slack_failure_right_after_an_approval_does_not_leave_the_request_stuck(stack: LocalStack):
    request_id = request(stack, "alice", "production", "AdministratorAccess", duration="1h", reason="INC-5")
    stack.plan_slack_failure("chat.update", "internal_error")

    stack.approve("bob", request_id)
    first = stack.run()
    assert first["queue"]["failed"], "the Slack failure failed the queued click"
    assert not has_access(stack, "alice", "production", "AdministratorAccess")
    stack.run()  # the queue redelivers the failed click (one delivery per run); the grant carries on

    assert has_access(stack, "alice", "production", "AdministratorAccess")
    assert f"jit-revoke-{request_id}" in revoke_schedule_names(stack)
    stack.run(datetime.now(UTC) + timedelta(hours=2))
    assert not has_access(stack, "alice", "production", "AdministratorAccess")


def test_a_rule_naming_an_ou_covers_an_account_only_organizations_knows(stack: LocalStack):
    # The module was told neither the sandbox account nor its name: Organizations says both.
    sandbox = stack.account_id("sandbox")
    stack.press_shortcut("alice")
    (opened,) = stack.slack_calls("views.open")
    assert f"sandbox ({sandbox})" in str(opened["args"]["view"])

    request_id = request(stack, "alice", "sandbox", "ReadOnlyAccess", duration="1h", reason="try the new API")
    assert not has_access(stack, "alice", "sandbox", "ReadOnlyAccess")
    stack.approve("bob", request_id)
    stack.run()

    assert has_access(stack, "alice", "sandbox", "ReadOnlyAccess")
    assert audit_event(stack, request_id, "20-decision")["rule_ids"] == ["sandbox-read-only"]
    stack.run(datetime.now(UTC) + timedelta(hours=2))


def test_membership_of_a_group_is_granted_on_approval_then_removed_at_the_end(stack: LocalStack):
    stack.press_shortcut("alice")
    (opened,) = stack.slack_calls("views.open")
    assert f"Oncall ({stack.group_id('Oncall')})" in str(opened["args"]["view"]), "the form offers the group"

    before = set(stack.request_ids())
    submitted = stack.submit_request("alice", group="Oncall", duration="1h", reason="paged: orders backlog")
    assert submitted.status == 200, submitted.text
    stack.run()
    (request_id,) = [i for i in stack.request_ids() if i not in before]
    posts = [c for c in stack.slack_calls("chat.postMessage") if c["args"]["channel"] == stack.channel_id]
    assert "Group: Oncall" in str(posts[-1]["args"]) and f"<@{stack.user('bob')['slack_id']}>" in str(
        posts[-1]["args"]
    )
    assert not is_member(stack, "alice", "Oncall")

    approved_at = datetime.now(UTC)
    stack.approve("bob", request_id)
    stack.run()

    assert is_member(stack, "alice", "Oncall")
    assert f"jit-revoke-{request_id}" in revoke_schedule_names(stack)
    granted = audit_event(stack, request_id, "40-grant")
    assert granted["event"] == "granted"
    assert granted["subject"]["group"] == {"id": stack.group_id("Oncall"), "name": "Oncall"}
    assert audit_event(stack, request_id, "20-decision")["rule_ids"] == ["oncall"]
    assert any("membership of group Oncall" in text and "granted" in text for text in dms_to(stack, "alice"))

    stack.run(approved_at + timedelta(hours=1, minutes=1))
    assert not is_member(stack, "alice", "Oncall")
    assert audit_slots(stack, request_id)[-1] == "60-revoke"
    assert audit_event(stack, request_id, "60-revoke")["event"] == "revoked"
