"""The requester Lambda: Slack interactions from API Gateway (ack fast) and work from the queue (do it).

Only what must be synchronous runs inline: `views.open` with the trigger id and the modal's validation
errors. Everything else is put on the FIFO queue and done by the queue invocation of this same function.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from jit_access import bootstrap
from jit_access.core import views
from jit_access.core.lifecycle import Group, Person, Subject, new_request_id
from jit_access.core.rules import (
    Outcome,
    requestable_accounts,
    requestable_groups,
    requestable_permission_sets,
)
from jit_access.core.timeutil import parse_duration
from jit_access.edges.identity_center import UserNotFound
from jit_access.errors import EdgeError, RequestRejected
from jit_access.handlers.payloads import (
    WORK,
    BlockActions,
    ClickWork,
    HttpRequest,
    Shortcut,
    SqsEvent,
    SubmitWork,
    ViewSubmission,
    parse_interaction,
)

log = logging.getLogger(__name__)
logging.getLogger().setLevel(logging.INFO)

_FIELD_BLOCKS = {
    "target": views.BLOCK_ACCOUNT,
    "duration": views.BLOCK_DURATION,
    "reason": views.BLOCK_REASON,
    "ticket": views.BLOCK_REASON,
}


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    runtime = bootstrap.runtime(requester=True)
    if "Records" in event:
        return handle_queue(runtime, event)
    return handle_http(runtime, event)


def _response(status: int, body: dict[str, Any] | str = "") -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body)
    content_type = "text/plain" if isinstance(body, str) else "application/json"
    return {"statusCode": status, "headers": {"content-type": content_type}, "body": text}


# --- HTTP: verify, parse, ack -----------------------------------------------------------------------------


def handle_http(runtime: bootstrap.Runtime, event: dict[str, Any]) -> dict[str, Any]:
    request = HttpRequest.model_validate(event)
    try:
        body = request.raw_body
    except RequestRejected as error:
        log.warning("rejected a request: %s", error)
        return _response(error.status, str(error))
    timestamp = request.header("x-slack-request-timestamp") or ""
    signature = request.header("x-slack-signature") or ""
    assert runtime.verifier is not None
    if not timestamp.isdigit() or not runtime.verifier.is_valid(body, timestamp, signature):
        log.warning("rejected a request with a missing, stale or wrong Slack signature")
        return _response(401, "invalid signature")
    try:
        interaction = parse_interaction(body)
    except RequestRejected as error:
        log.warning("rejected a Slack request: %s", error)
        return _response(error.status, str(error))
    if interaction is None:
        return _response(200)
    config = runtime.service.config
    if interaction.team.id != config.slack.team_id:
        log.warning("rejected a request from workspace %s", interaction.team.id)
        return _response(403, "this workspace is not allowed")
    if isinstance(interaction, Shortcut):
        return open_request_modal(runtime, interaction)
    if isinstance(interaction, ViewSubmission):
        return submit_request(runtime, interaction)
    return enqueue_click(runtime, interaction)


def _requestable(runtime: bootstrap.Runtime) -> tuple[list[tuple[str, str]], dict[str, str]]:
    config = runtime.service.config
    if not config.rules:
        return [], {}
    permission_sets = runtime.service.identity.permission_sets()
    account_names = runtime.service.account_names()
    accounts = requestable_accounts(config, account_names)
    labelled = [(a, views.account_label(a, account_names.get(a))) for a in accounts]
    names = requestable_permission_sets(config, permission_sets)
    return labelled, {name: permission_sets[name] for name in names if name in permission_sets}


def _requestable_groups(runtime: bootstrap.Runtime) -> dict[str, str]:
    """Group id → display name of the groups the group rules name (none without group rules)."""
    named = requestable_groups(runtime.service.config)
    return runtime.service.identity.groups(named) if named else {}


def open_request_modal(runtime: bootstrap.Runtime, shortcut: Shortcut) -> dict[str, Any]:
    if shortcut.callback_id != views.CALLBACK_SHORTCUT:
        return _response(200)
    accounts, permission_sets = _requestable(runtime)
    groups = _requestable_groups(runtime)
    view = views.request_modal(
        accounts=accounts,
        permission_sets=sorted(permission_sets),
        durations=list(runtime.service.config.duration_choices),
        groups=sorted(
            ((gid, views.group_label(gid, name)) for gid, name in groups.items()), key=lambda g: g[1]
        ),
    )
    runtime.service.slack.open_view(trigger_id=shortcut.trigger_id, view=view)
    return _response(200)


def _errors(errors: dict[str, str]) -> dict[str, Any]:
    return _response(200, {"response_action": "errors", "errors": errors})


def submit_request(runtime: bootstrap.Runtime, submission: ViewSubmission) -> dict[str, Any]:
    """Validate the modal inline (errors appear next to the field), then queue the request. The form asks
    for an account and a permission set, or (where group rules exist) a group: exactly one of the two."""
    if submission.view.callback_id != views.CALLBACK_REQUEST_MODAL:
        return _response(200)
    service = runtime.service
    account = submission.selected(views.BLOCK_ACCOUNT, views.ACTION_ACCOUNT) or ""
    permission_set = submission.selected(views.BLOCK_PERMISSION_SET, views.ACTION_PERMISSION_SET) or ""
    group = submission.selected(views.BLOCK_GROUP, views.ACTION_GROUP) or ""
    duration_text = submission.selected(views.BLOCK_DURATION, views.ACTION_DURATION) or ""
    reason = views.plain_reason(submission.selected(views.BLOCK_REASON, views.ACTION_REASON) or "")

    accounts, permission_sets = _requestable(runtime)
    groups = _requestable_groups(runtime) if service.config.group_rules else {}
    errors: dict[str, str] = {}
    target_block = views.BLOCK_GROUP if group or not accounts else views.BLOCK_ACCOUNT
    if group and (account or permission_set):
        errors[views.BLOCK_GROUP] = "Choose a group, or an account and a permission set, not both."
    elif group:
        if group not in groups:
            errors[views.BLOCK_GROUP] = "Choose a group from the list."
    elif groups and not account and not permission_set:
        errors[target_block] = (
            "Choose an account and a permission set, or a group."
            if accounts
            else "Choose a group from the list."
        )
    else:
        if account not in {a for a, _ in accounts}:
            errors[views.BLOCK_ACCOUNT] = "Choose an account from the list."
        if permission_set not in permission_sets:
            errors[views.BLOCK_PERMISSION_SET] = "Choose a permission set from the list."
    if duration_text not in service.config.duration_choices:
        errors[views.BLOCK_DURATION] = "Choose a duration from the list."
    if not reason or len(reason) > views.REASON_MAX_LENGTH:
        errors[views.BLOCK_REASON] = f"Give a reason of 1 to {views.REASON_MAX_LENGTH} characters."
    if errors:
        return _errors(errors)

    email = service.slack.user_email(submission.user.id)
    if not email:
        return _errors({target_block: "Your Slack profile has no email address, so you cannot be matched."})
    try:
        user_id = service.identity.find_user_id_by_email(email)
    except UserNotFound:
        return _errors({target_block: f"No IAM Identity Center user has the email {email}."})
    requester = Person(slack_id=submission.user.id, email=email.lower(), identity_center_user_id=user_id)
    minutes = int(parse_duration(duration_text).total_seconds() // 60)
    if group:
        subject = Subject(
            requester=requester,
            group=Group(id=group, name=groups[group]),
            duration_minutes=minutes,
            reason=reason,
        )
    else:
        subject = Subject(
            requester=requester,
            account_id=account,
            account_name=service.account_names().get(account),
            permission_set_name=permission_set,
            permission_set_arn=permission_sets[permission_set],
            duration_minutes=minutes,
            reason=reason,
        )
    decision = service.decide(subject)
    if decision.outcome is Outcome.REFUSED:
        field = decision.field or "target"
        block = target_block if field == "target" else _FIELD_BLOCKS.get(field, target_block)
        return _errors({block: decision.reason})

    request_id = new_request_id(datetime.now(UTC))
    work = SubmitWork(request_id=request_id, subject=subject)
    assert runtime.queue is not None
    # Slack redelivers a submission it saw no answer to; the view id makes the redelivery a duplicate.
    runtime.queue.send(
        work.model_dump(mode="json"), group_id=request_id, dedup_id=f"submit-{submission.view.id}"
    )
    log.info("request %s queued (%s)", request_id, decision.outcome.value)
    return _response(200, {"response_action": "clear"})


def enqueue_click(runtime: bootstrap.Runtime, actions: BlockActions) -> dict[str, Any]:
    action = actions.actions[0]
    if action.action_id not in (views.ACTION_APPROVE, views.ACTION_DENY) or actions.channel is None:
        return _response(200)
    try:
        work = ClickWork.model_validate(
            {
                "request_id": action.value,
                "action": action.action_id,
                "actor_slack_id": actions.user.id,
                "channel_id": actions.channel.id,
            }
        )
    except ValueError:
        log.warning("ignored a button click with a malformed request id")
        return _response(400, "malformed request id")
    assert runtime.queue is not None
    runtime.queue.send(
        work.model_dump(mode="json"),
        group_id=work.request_id,
        dedup_id=f"click-{work.request_id}-{work.actor_slack_id}-{work.action}-{action.action_ts}",
    )
    return _response(200)


# --- queue: the durable work ------------------------------------------------------------------------------


def handle_queue(runtime: bootstrap.Runtime, event: dict[str, Any]) -> dict[str, Any]:
    """Do each piece of work; report failures so only those are retried (then dead-lettered)."""
    failures = []
    for record in SqsEvent.model_validate(event).records:
        try:
            work = WORK.validate_json(record.body)
            if isinstance(work, SubmitWork):
                runtime.service.submit(work.request_id, work.subject)
            else:
                runtime.service.click(
                    request_id=work.request_id,
                    action=work.action,
                    actor_slack_id=work.actor_slack_id,
                    channel_id=work.channel_id,
                )
        except (EdgeError, ValueError) as error:
            log.error("work %s failed and will be retried: %s", record.message_id, error)
            failures.append({"itemIdentifier": record.message_id})
        except Exception:
            log.exception("work %s failed unexpectedly and will be retried", record.message_id)
            failures.append({"itemIdentifier": record.message_id})
    return {"batchItemFailures": failures}
