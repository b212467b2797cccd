"""The requester handler fed real API Gateway v2 / SQS event shapes (tests/events), signed as Slack signs."""

from __future__ import annotations

import base64
import copy
import json
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from jit_access.bootstrap import Runtime
from jit_access.config import Config
from jit_access.core.lifecycle import Status
from jit_access.handlers import requester
from jit_access.service import AccessService
from jit_access.settings import Settings

from ..fakes import FakeIdentity, FakeScheduler, FakeSlack, FakeStore

EVENTS = Path(__file__).resolve().parent.parent / "events"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
PROD = "111111111111"
PEOPLE = {"UALICE": "alice@example.com", "UBOB": "bob@example.com", "UMAL": "mallory@example.com"}


def load(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


class FakeQueue:
    def __init__(self):
        self.sent: list[tuple[dict, str, str]] = []

    def send(self, body: dict, *, group_id: str, dedup_id: str) -> None:
        if dedup_id not in {d for _, _, d in self.sent}:  # FIFO deduplication
            self.sent.append((body, group_id, dedup_id))


@pytest.fixture
def runtime():
    config = Config.model_validate(
        {
            "slack": {"team_id": "T0LOCAL01", "channel_id": "CAPPROVALS"},
            "account_names": {PROD: "production"},
            "rules": [
                {
                    "id": "prod-admin",
                    "accounts": [PROD],
                    "permission_sets": ["AdministratorAccess"],
                    "approvers": ["bob@example.com"],
                }
            ],
        }
    )
    service = AccessService(
        config=config,
        config_version="v1",
        store=FakeStore(),
        identity=FakeIdentity(
            users={"alice@example.com": "id-alice", "bob@example.com": "id-bob"},
            permission_set_arns={
                "AdministratorAccess": "arn:aws:sso:::permissionSet/ssoins-1/ps-admin",
                "ReadOnlyAccess": "arn:aws:sso:::permissionSet/ssoins-1/ps-ro",
            },
        ),
        scheduler=FakeScheduler(),
        slack=FakeSlack(emails=dict(PEOPLE)),
    )
    settings = Settings(
        config_bucket="b",
        config_key="k",
        audit_bucket="b",
        schedule_group="g",
        sso_instance_arn="arn",
        identity_store_id="d-1",
        slack_bot_token_parameter="p",
    )
    return Runtime(settings, service, FakeQueue(), SignatureVerifier(SECRET))


def http_event(
    payload: dict, *, secret: str = SECRET, timestamp: int | None = None, signature: str | None = None
) -> dict:
    body = urlencode({"payload": json.dumps(payload)})
    timestamp = int(time.time()) if timestamp is None else timestamp
    event = load("apigw_v2_post.json")
    event["body"] = base64.b64encode(body.encode()).decode()
    event["headers"]["x-slack-request-timestamp"] = str(timestamp)
    event["headers"]["x-slack-signature"] = signature or SignatureVerifier(secret).generate_signature(
        timestamp=str(timestamp), body=body
    )
    return event


def test_shortcut_opens_the_modal_with_only_requestable_targets(runtime):
    response = requester.handle_http(runtime, http_event(load("slack_shortcut.json")))
    assert response["statusCode"] == 200
    ((method, args),) = runtime.service.slack.calls
    assert method == "views.open" and args["trigger_id"] == "1796378400.1234.abcdef0123456789"
    blocks = {b["block_id"]: b for b in args["view"]["blocks"]}
    assert [o["value"] for o in blocks["account"]["element"]["options"]] == [PROD]
    assert blocks["account"]["element"]["options"][0]["text"]["text"] == f"production ({PROD})"
    assert [o["value"] for o in blocks["permission_set"]["element"]["options"]] == ["AdministratorAccess"]


def test_submission_is_queued_and_the_modal_closed(runtime):
    response = requester.handle_http(runtime, http_event(load("slack_view_submission.json")))
    assert json.loads(response["body"]) == {"response_action": "clear"}
    ((body, group_id, _dedup_id),) = runtime.queue.sent
    assert body["kind"] == "submit" and group_id == body["request_id"]
    assert body["subject"]["requester"] == {
        "slack_id": "UALICE",
        "email": "alice@example.com",
        "identity_center_user_id": "id-alice",
    }
    assert body["subject"]["permission_set_arn"].endswith("ps-admin")


def test_slack_retry_of_a_submission_is_deduplicated(runtime):
    requester.handle_http(runtime, http_event(load("slack_view_submission.json")))
    requester.handle_http(runtime, http_event(load("slack_view_submission.json")))
    assert len(runtime.queue.sent) == 1


@pytest.mark.parametrize(
    ("block", "action", "value", "field"),
    [
        ("account", "account", "999999999999", "account"),
        ("permission_set", "permission_set", "ReadOnlyAccess", "permission_set"),
        ("duration", "duration", "72h", "duration"),
    ],
)
def test_forged_choices_are_refused_next_to_the_field_and_nothing_is_queued(
    runtime, block, action, value, field
):
    payload = load("slack_view_submission.json")
    payload["view"]["state"]["values"][block][action]["selected_option"]["value"] = value
    response = requester.handle_http(runtime, http_event(payload))
    body = json.loads(response["body"])
    assert body["response_action"] == "errors" and field in body["errors"]
    assert runtime.queue.sent == []


def test_a_reason_of_invisible_characters_is_no_reason(runtime):
    payload = load("slack_view_submission.json")
    payload["view"]["state"]["values"]["reason"]["reason"]["value"] = "\u200b\u200b \u202e\x00"
    body = json.loads(requester.handle_http(runtime, http_event(payload))["body"])
    assert body["response_action"] == "errors" and "reason" in body["errors"]
    assert runtime.queue.sent == []


def test_the_reason_is_kept_without_control_or_direction_characters(runtime):
    payload = load("slack_view_submission.json")
    payload["view"]["state"]["values"]["reason"]["reason"]["value"] = "INC-1\n restore \u202edb\x00"
    requester.handle_http(runtime, http_event(payload))
    ((body, _group, _dedup),) = runtime.queue.sent
    assert body["subject"]["reason"] == "INC-1 restore db"


def test_requester_unknown_to_identity_center_is_told_in_the_modal(runtime):
    runtime.service.identity.users.pop("alice@example.com")
    body = json.loads(requester.handle_http(runtime, http_event(load("slack_view_submission.json")))["body"])
    assert "No IAM Identity Center user has the email alice@example.com" in body["errors"]["account"]
    assert runtime.queue.sent == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: http_event(p, secret="not-the-secret"),
        lambda p: http_event(p, timestamp=int(time.time()) - 6 * 60),
        lambda p: http_event(p, signature="v0=deadbeef"),
        lambda p: {**http_event(p), "headers": {"content-type": "application/x-www-form-urlencoded"}},
    ],
    ids=["forged", "stale", "garbage", "unsigned"],
)
def test_unsigned_forged_or_stale_requests_get_401_and_change_nothing(runtime, tamper):
    response = requester.handle_http(runtime, tamper(load("slack_view_submission.json")))
    assert response["statusCode"] == 401
    assert runtime.queue.sent == [] and runtime.service.slack.calls == []


@pytest.mark.parametrize("body", [b"\xff\xfe", b"payload=\xc3"], ids=["binary", "truncated-utf8"])
def test_a_body_that_is_not_utf8_text_is_refused_without_a_crash(runtime, body):
    event = {**http_event(load("slack_shortcut.json")), "body": base64.b64encode(body).decode()}
    response = requester.handle_http(runtime, event)
    assert response["statusCode"] == 400
    assert runtime.queue.sent == [] and runtime.service.slack.calls == []


def test_other_workspace_is_refused(runtime):
    payload = load("slack_shortcut.json")
    payload["team"]["id"] = "TOTHER"
    assert requester.handle_http(runtime, http_event(payload))["statusCode"] == 403
    assert runtime.service.slack.calls == []


def test_button_with_a_forged_request_id_is_refused(runtime):
    payload = load("slack_block_actions.json")
    payload["actions"][0]["value"] = "../../config/config.json"
    assert requester.handle_http(runtime, http_event(payload))["statusCode"] == 400
    assert runtime.queue.sent == []


def test_queue_runs_submit_then_click_to_a_grant(runtime):
    requester.handle_http(runtime, http_event(load("slack_view_submission.json")))
    submit = runtime.queue.sent[0][0]
    request_id = submit["request_id"]

    def sqs(body: dict) -> dict:
        event = load("sqs_batch.json")
        event["Records"][0]["body"] = json.dumps(body)
        return event

    assert requester.handle_queue(runtime, sqs(submit)) == {"batchItemFailures": []}
    click = load("slack_block_actions.json")
    click["actions"][0]["value"] = request_id
    requester.handle_http(runtime, http_event(click))
    assert requester.handle_queue(runtime, sqs(runtime.queue.sent[1][0])) == {"batchItemFailures": []}
    assert runtime.service.state(request_id).status is Status.GRANTED


def test_failed_work_is_reported_for_retry_not_lost(runtime):
    requester.handle_http(runtime, http_event(load("slack_view_submission.json")))
    runtime.service.store.fail_puts = 1
    event = copy.deepcopy(load("sqs_batch.json"))
    event["Records"][0]["body"] = json.dumps(runtime.queue.sent[0][0])
    result = requester.handle_queue(runtime, event)
    assert result == {"batchItemFailures": [{"itemIdentifier": "059f36b4-87a3-44ab-83d2-661975830a7d"}]}


# --- group requests ---------------------------------------------------------------------------------------

ONCALL_ID = "a1b2c3d4-0000-1111-2222-333344445555"


@pytest.fixture
def group_runtime(runtime):
    """The same runtime, with a group rule for Oncall and the group in the identity store."""
    service = runtime.service
    service.config = service.config.model_copy(
        update={
            "group_rules": Config.model_validate(
                {
                    "slack": {"team_id": "T0LOCAL01", "channel_id": "CAPPROVALS"},
                    "group_rules": [{"id": "oncall", "groups": ["Oncall"], "approvers": ["bob@example.com"]}],
                }
            ).group_rules
        }
    )
    service.identity.group_names = {ONCALL_ID: "Oncall", "ffffffff-0000-1111-2222-333344445555": "Payroll"}
    return runtime


def group_submission(*, group: str | None = ONCALL_ID, account: bool = False) -> dict:
    payload = load("slack_view_submission.json")
    values = payload["view"]["state"]["values"]
    if not account:
        values["account"]["account"]["selected_option"] = None
        values["permission_set"]["permission_set"]["selected_option"] = None
    if group is not None:
        values["group"] = {"group": {"type": "static_select", "selected_option": {"value": group}}}
    return payload


def test_the_modal_offers_the_groups_of_the_group_rules_only_when_there_are_some(runtime, group_runtime):
    requester.handle_http(group_runtime, http_event(load("slack_shortcut.json")))
    blocks = {b["block_id"]: b for b in runtime.service.slack.calls[-1][1]["view"]["blocks"]}
    assert [(o["value"], o["text"]["text"]) for o in blocks["group"]["element"]["options"]] == [
        (ONCALL_ID, f"Oncall ({ONCALL_ID})")
    ]
    assert (
        blocks["account"]["optional"] and blocks["permission_set"]["optional"] and blocks["group"]["optional"]
    )


def test_the_modal_without_group_rules_has_no_group_field(runtime):
    requester.handle_http(runtime, http_event(load("slack_shortcut.json")))
    blocks = {b["block_id"]: b for b in runtime.service.slack.calls[-1][1]["view"]["blocks"]}
    assert "group" not in blocks and not blocks["account"].get("optional")


def test_a_group_submission_queues_a_request_for_the_group(group_runtime):
    response = requester.handle_http(group_runtime, http_event(group_submission()))
    assert json.loads(response["body"]) == {"response_action": "clear"}
    ((body, _group_id, _dedup),) = group_runtime.queue.sent
    subject = body["subject"]
    assert subject["group"] == {"id": ONCALL_ID, "name": "Oncall"}
    assert subject["account_id"] == "" and subject["permission_set_arn"] == ""

    for record in load("sqs_batch.json")["Records"][:1]:
        record["body"] = json.dumps(body)
        assert requester.handle_queue(group_runtime, {"Records": [record]}) == {"batchItemFailures": []}
    state = group_runtime.service.state(body["request_id"])
    assert state.status is Status.PENDING and state.subject.group.name == "Oncall"


@pytest.mark.parametrize(
    ("payload", "block", "words"),
    [
        (lambda: group_submission(account=True), "group", "not both"),
        (lambda: group_submission(group=None), "account", "or a group"),
        (lambda: group_submission(group="ffffffff-0000-1111-2222-333344445555"), "group", "from the list"),
        (lambda: group_submission(group="not-a-group"), "group", "from the list"),
    ],
    ids=["both", "neither", "a-group-no-rule-names", "forged"],
)
def test_a_group_submission_needs_exactly_one_target_from_the_lists(group_runtime, payload, block, words):
    body = json.loads(requester.handle_http(group_runtime, http_event(payload()))["body"])
    assert body["response_action"] == "errors" and words in body["errors"][block]
    assert group_runtime.queue.sent == []


def test_a_group_submission_without_group_rules_is_refused(runtime):
    body = json.loads(requester.handle_http(runtime, http_event(group_submission()))["body"])
    assert body["response_action"] == "errors" and "group" in body["errors"]
    assert runtime.queue.sent == []
