"""The request lifecycle through the service, with in-memory edges that keep the real contracts."""

import itertools
import json
from datetime import timedelta

import pytest

from jit_access.core.lifecycle import EventType, RequestState, Status, sha256
from jit_access.errors import EdgeError

from ..scenario import ADMIN_ARN, LOGS, NOW, ONCALL_ID, PROD, RID, RO_ARN, group_subject, subject


def events(service, rid=RID):
    return [slot for slot, _ in service.store.read_events(rid)]


def test_request_waits_for_the_approver_and_mentions_them(service):
    state = service.submit(RID, subject())
    assert state.status is Status.PENDING
    assert events(service) == ["00-requested"]
    ((method, post),) = service.slack.calls
    assert method == "chat.postMessage" and post["channel"] == "CAPPROVALS"
    assert "<@UBOB>" in post["blocks"][0]["text"]["text"]
    assert service.identity.assignments == set()


def test_reason_is_shown_as_plain_text_so_it_cannot_ping_or_link(service):
    service.submit(RID, subject())
    blocks = service.slack.calls[0][1]["blocks"]
    reason_field = next(f for f in blocks[0]["fields"] if "incident 42" in f["text"])
    assert reason_field["type"] == "plain_text"
    assert "<!channel>" not in blocks[0]["text"]["text"]


def test_approval_grants_schedules_the_revoke_and_chains_the_trail(service):
    service.submit(RID, subject())
    state = service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="CAPPROVALS")
    assert state.status is Status.GRANTED
    assert (PROD, ADMIN_ARN, "id-alice") in service.identity.assignments
    at, payload = service.scheduler.schedules[f"jit-revoke-{RID}"]
    assert at == NOW + timedelta(hours=1)
    assert payload == {"action": "revoke", "request_id": RID}
    assert events(service) == [
        "00-requested",
        "10-approval-UBOB",
        "20-decision",
        "30-grant-started",
        "40-grant",
    ]
    raw = service.store.read_events(RID)
    for (_, previous), (_, current) in itertools.pairwise(raw):
        assert sha256(previous) == json.loads(current)["prev_sha256"]
    assert state.decision.actor.email == "bob@example.com"
    assert any(
        m == "dm" and a["user"] == "UALICE" and "granted until 2026-12-04T11:00:00Z" in a["text"]
        for m, a in service.slack.calls
    )


def test_revoke_removes_access_and_records_how(service):
    service.submit(RID, subject())
    service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    state = service.revoke(RID, how="schedule")
    assert state.status is Status.REVOKED
    assert service.identity.assignments == set()
    assert state.revoke.details["how"] == "schedule"
    assert service.revoke(RID, how="schedule").status is Status.REVOKED  # a second firing changes nothing
    assert events(service)[-1] == "60-revoke"


def test_click_by_a_non_approver_is_refused_and_changes_nothing(service):
    service.submit(RID, subject())
    before = dict(service.store.objects)
    service.click(request_id=RID, action="approve", actor_slack_id="UMAL", channel_id="C")
    assert service.store.objects == before
    method, args = service.slack.calls[-1]
    assert method == "chat.postEphemeral" and args["user"] == "UMAL" and "not an approver" in args["text"]


def test_requester_cannot_approve_their_own_request(service):
    service.submit(RID, subject())
    service.click(request_id=RID, action="approve", actor_slack_id="UALICE", channel_id="C")
    assert events(service) == ["00-requested"]


def test_deny_is_final_and_a_late_approve_gets_a_neutral_answer(service):
    service.submit(RID, subject())
    assert (
        service.click(request_id=RID, action="deny", actor_slack_id="UBOB", channel_id="C").status
        is Status.DENIED
    )
    dms = [kwargs["text"] for method, kwargs in service.slack.calls if method == "dm"]
    assert dms and "denied by bob@example.com" in dms[-1]
    state = service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    assert state.status is Status.DENIED
    assert service.identity.assignments == set()
    assert "Nothing to do: Denied" in service.slack.calls[-1][1]["text"]


def test_double_click_grants_once(service):
    service.submit(RID, subject())
    service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    assert service.identity.create_calls == 1
    assert len(service.scheduler.schedules) == 1


def test_redelivered_submission_posts_once(service):
    service.submit(RID, subject())
    service.submit(RID, subject())
    assert service.slack.methods().count("chat.postMessage") == 1
    assert events(service) == ["00-requested"]


def test_self_approval_grants_at_once_and_records_the_rule(service):
    state = service.submit(RID, subject("UCAROL", LOGS, "ReadOnlyAccess", RO_ARN))
    assert state.status is Status.GRANTED
    assert state.decision.event is EventType.SELF_APPROVED
    assert state.decision.rule_ids == ("logs-ro",)
    assert state.decision.actor.slack_id == "UCAROL"


def test_grant_is_rolled_back_when_the_revoke_cannot_be_scheduled(service):
    service.scheduler.fail = True
    service.submit(RID, subject())
    state = service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    assert state.status is Status.GRANT_FAILED
    assert service.identity.assignments == set()
    assert "could not be scheduled" in state.grant.details["failure_reason"]


def test_identity_center_failure_is_recorded_and_told(service):
    service.identity.create_status = "FAILED"
    service.submit(RID, subject())
    state = service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    assert state.status is Status.GRANT_FAILED
    assert state.grant.details["aws_request_id"] == "req-1"
    assert any(m == "dm" and "could not be granted" in a["text"] for m, a in service.slack.calls)


def test_access_denied_is_not_retried_but_recorded(service):
    service.identity.fail_create = EdgeError(
        "the management account cannot be assigned from here", retryable=False
    )
    service.submit(RID, subject())
    state = service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    assert state.status is Status.GRANT_FAILED
    assert "management account" in state.grant.details["failure_reason"]


def test_throttling_propagates_for_the_queue_to_retry_and_the_retry_finishes_the_grant(service):
    service.identity.fail_create = EdgeError("throttled", retryable=True)
    service.submit(RID, subject())
    with pytest.raises(EdgeError):
        service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    service.identity.fail_create = None
    state = service.grant(RequestState.fold(service.store.read_events(RID)))
    assert state.status is Status.GRANTED
    assert len(service.scheduler.schedules) == 1


def test_rules_changed_before_the_queue_ran_refuse_on_the_record(service):
    s = subject(minutes=180)  # over prod-admin's 2h
    state = service.submit(RID, s)
    assert state.status is Status.DENIED
    assert state.decision.actor is None and "longer than" in state.decision.details["reason"]


def test_a_slack_failure_after_the_approval_is_recorded_is_finished_by_the_redelivered_click(service):
    service.submit(RID, subject())
    update = service.slack.update_message
    service.slack.update_message = lambda **kwargs: (_ for _ in ()).throw(EdgeError("internal_error"))
    with pytest.raises(EdgeError):
        service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    assert service.state(RID).status is Status.APPROVED and service.identity.assignments == set()

    service.slack.update_message = update
    state = service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")

    assert state.status is Status.GRANTED
    assert (PROD, ADMIN_ARN, "id-alice") in service.identity.assignments


def test_access_the_person_already_holds_is_not_granted_again(service):
    # Identity Center keeps one assignment per user, account and permission set: this grant's revoke
    # would end the standing access too.
    service.identity.assignments.add((PROD, ADMIN_ARN, "id-alice"))
    service.submit(RID, subject())

    state = service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")

    assert state.status is Status.GRANT_FAILED
    assert "already have this access" in state.grant.details["failure_reason"]
    assert service.identity.create_calls == 0 and service.scheduler.schedules == {}
    assert (PROD, ADMIN_ARN, "id-alice") in service.identity.assignments


def test_a_channel_the_app_cannot_post_in_closes_the_request_and_tells_the_requester(service):
    def not_in_channel(**kwargs):
        raise EdgeError("not_in_channel", retryable=False)

    service.slack.post_message = not_in_channel

    state = service.submit(RID, subject())

    assert state.status is Status.DENIED
    assert "approvers' channel" in state.decision.details["reason"]
    dms = [a["text"] for m, a in service.slack.calls if m == "dm"]
    assert dms and "was not sent" in dms[-1] and "not_in_channel" in dms[-1]


@pytest.mark.parametrize(
    ("reason", "status"),
    [("INC-42: restore the orders table", Status.PENDING), ("restore the orders table", Status.DENIED)],
)
def test_a_ticket_pattern_is_looked_for_in_the_reason(service, reason, status):
    # The request form has no ticket field: the reference travels in the reason.
    rule = service.config.rules[0].model_copy(update={"ticket_pattern": "(INC|CHG)-[0-9]+"})
    service.config = service.config.model_copy(update={"rules": (rule, *service.config.rules[1:])})

    state = service.submit(RID, subject().model_copy(update={"reason": reason}))

    assert state.status is status


def test_a_rule_naming_an_ou_covers_the_accounts_organizations_puts_under_it(service):
    from jit_access.config import Rule
    from jit_access.directory import AccountDirectory

    sandbox_ou, sandbox = "ou-ab12-cdef3456", "444444444444"

    class Organization:
        def account_names(self):
            return {sandbox: "sandbox"}

        def accounts_in_ou(self, ou_id):
            return {sandbox} if ou_id == sandbox_ou else set()

    rule = Rule(
        id="sandbox-ro",
        accounts=[sandbox_ou],
        permission_sets=["ReadOnlyAccess"],
        approvers=["bob@example.com"],
    )
    service.config = service.config.model_copy(update={"rules": (*service.config.rules, rule)})
    asked = subject(account=sandbox, ps="ReadOnlyAccess", arn=RO_ARN)

    assert service.submit(RID, asked).status is Status.DENIED, "without Organizations the OU matches nothing"

    service.accounts = AccountDirectory(organization=Organization(), configured_names={}, ou_ids=[sandbox_ou])
    state = service.submit("20261204T100000Z-0a1b2c3e", asked)
    assert state.status is Status.PENDING and state.decision is None
    assert service.account_names()[sandbox] == "sandbox"
    granted = service.click(
        request_id="20261204T100000Z-0a1b2c3e", action="approve", actor_slack_id="UBOB", channel_id="C"
    )
    assert granted.status is Status.GRANTED


# --- group requests: membership of an Identity Center group, the same lifecycle ----------------------------


def test_a_group_request_waits_for_its_approver_then_adds_the_member_and_schedules_the_removal(service):
    state = service.submit(RID, group_subject())
    assert state.status is Status.PENDING
    post = service.slack.calls[0][1]
    assert "<@UBOB>" in post["blocks"][0]["text"]["text"]
    assert "Group: Oncall (a1b2c3d4-" in str(post["blocks"]) and "Account:" not in str(post["blocks"])
    assert "membership of group Oncall" in post["text"]

    state = service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    assert state.status is Status.GRANTED
    assert service.identity.memberships == {(ONCALL_ID, "id-alice")}
    assert service.identity.assignments == set()
    at, _ = service.scheduler.schedules[f"jit-revoke-{RID}"]
    assert at == NOW + timedelta(hours=1)
    assert events(service) == [
        "00-requested",
        "10-approval-UBOB",
        "20-decision",
        "30-grant-started",
        "40-grant",
    ]
    granted = json.loads(service.store.read_event(RID, "40-grant"))
    assert granted["subject"]["group"] == {"id": ONCALL_ID, "name": "Oncall"}
    assert granted["rule_ids"] == [] and state.decision.rule_ids == ("oncall",)
    assert any(m == "dm" and "membership of group Oncall" in a["text"] for m, a in service.slack.calls)


def test_a_group_grant_is_revoked_by_removing_the_membership(service):
    service.submit(RID, group_subject())
    service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    state = service.revoke(RID, how="schedule")
    assert state.status is Status.REVOKED
    assert service.identity.memberships == set()
    assert service.revoke(RID, how="schedule").status is Status.REVOKED


def test_a_group_request_is_decided_by_group_rules_only(service):
    # carol approves log-archive requests and may approve her own there; she is no approver of Oncall.
    service.submit(RID, group_subject("UCAROL"))
    state = service.click(request_id=RID, action="approve", actor_slack_id="UCAROL", channel_id="C")
    assert state.status is Status.PENDING
    state = service.click(request_id=RID, action="approve", actor_slack_id="UMAL", channel_id="C")
    assert (
        state.status is Status.PENDING
        and "not an approver for this group" in service.slack.calls[-1][1]["text"]
    )
    assert service.identity.memberships == set()


def test_a_group_member_already_is_refused_rather_than_granted_over(service):
    service.identity.memberships.add((ONCALL_ID, "id-alice"))
    service.submit(RID, group_subject())
    state = service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    assert state.status is Status.GRANT_FAILED
    assert "already have this access" in state.grant.details["failure_reason"]
    assert service.identity.create_calls == 0
    assert service.identity.memberships == {(ONCALL_ID, "id-alice")}, "the standing membership is kept"


def test_a_group_grant_whose_revoke_cannot_be_scheduled_is_rolled_back(service):
    service.scheduler.fail = True
    service.submit(RID, group_subject())
    state = service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    assert state.status is Status.GRANT_FAILED
    assert service.identity.memberships == set()


def test_events_written_before_group_requests_existed_still_fold():
    old = {
        "schema_version": 1,
        "event": "requested",
        "request_id": RID,
        "at": "2026-12-04T10:00:00Z",
        "subject": {
            "requester": {
                "slack_id": "UALICE",
                "email": "alice@example.com",
                "identity_center_user_id": "id",
            },
            "account_id": PROD,
            "account_name": "production",
            "permission_set_name": "AdministratorAccess",
            "permission_set_arn": ADMIN_ARN,
            "duration_minutes": 60,
            "reason": "r",
            "ticket": None,
        },
        "actor": None,
        "rule_ids": [],
        "details": {},
        "config_version": "v1",
        "prev_sha256": None,
    }
    state = RequestState.fold([("00-requested", json.dumps(old).encode())])
    assert state.subject.group is None and state.subject.account_id == PROD
    assert state.subject.target.permission_set == "AdministratorAccess"
