"""Slack surfaces as Block Kit objects (slack_sdk.models), so Slack's limits are checked before sending.

Text from requesters (reason, ticket) is only ever shown in `plain_text` objects: it can never mention
anyone, ping @channel or unfurl a link. Buttons carry only the request id.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from jit_access.core.lifecycle import RequestState, Status, Subject
from jit_access.core.timeutil import format_duration, iso

CALLBACK_SHORTCUT = "request_access"
CALLBACK_REQUEST_MODAL = "request_access_modal"

BLOCK_ACCOUNT, ACTION_ACCOUNT = "account", "account"
BLOCK_PERMISSION_SET, ACTION_PERMISSION_SET = "permission_set", "permission_set"
BLOCK_GROUP, ACTION_GROUP = "group", "group"
BLOCK_DURATION, ACTION_DURATION = "duration", "duration"
BLOCK_REASON, ACTION_REASON = "reason", "reason"
ACTION_APPROVE = "approve"
ACTION_DENY = "deny"

REASON_MAX_LENGTH = 500


def plain_reason(text: str) -> str:
    """A reason as the trail keeps it: one line, without control or invisible formatting characters
    (zero-width spaces, right-to-left overrides) that could make an empty reason look given."""
    visible = "".join(ch for ch in " ".join(text.split()) if unicodedata.category(ch) not in ("Cc", "Cf"))
    return " ".join(visible.split())


_MAX_OPTIONS = 100  # Slack's limit per static menu
_MAX_LABEL = 75  # Slack's limit per option label


def _label(text: str) -> str:
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def account_label(account_id: str, name: str | None) -> str:
    return _label(f"{name} ({account_id})" if name else account_id)


def group_label(group_id: str, name: str | None) -> str:
    return _label(f"{name} ({group_id})" if name and name != group_id else group_id)


def target_label(subject: Subject) -> str:
    """What was asked for, in words: `AdministratorAccess on production (111…)` or `group Oncall (…)`."""
    if subject.group is not None:
        return f"membership of group {group_label(subject.group.id, subject.group.name)}"
    return f"{subject.permission_set_name} on {account_label(subject.account_id, subject.account_name)}"


def _options(pairs: Iterable[tuple[str, str]]) -> list[Option]:
    return [Option(value=value, label=_label(label)) for value, label in list(pairs)[:_MAX_OPTIONS]]


def request_modal(
    *,
    accounts: list[tuple[str, str]],
    permission_sets: list[str],
    durations: list[str],
    groups: list[tuple[str, str]] | None = None,
) -> dict:
    """The request form. `accounts` is [(account id, label)], `groups` [(group id, label)]. With groups to
    choose from, account and permission set become optional: the form asks for one or the other."""
    groups = groups or []
    can_account = bool(accounts and permission_sets)
    if not can_account and not groups:
        return View(
            type="modal",
            callback_id=CALLBACK_REQUEST_MODAL,
            title="Request AWS access",
            close="Close",
            blocks=[SectionBlock(text=PlainTextObject(text="No rule lets you request any access yet."))],
        ).to_dict()
    blocks: list = []
    if can_account:
        blocks += [
            InputBlock(
                block_id=BLOCK_ACCOUNT,
                label="Account",
                optional=bool(groups),
                element=StaticSelectElement(action_id=ACTION_ACCOUNT, options=_options(accounts)),
            ),
            InputBlock(
                block_id=BLOCK_PERMISSION_SET,
                label="Permission set",
                optional=bool(groups),
                element=StaticSelectElement(
                    action_id=ACTION_PERMISSION_SET, options=_options((p, p) for p in permission_sets)
                ),
            ),
        ]
    if groups:
        blocks.append(
            InputBlock(
                block_id=BLOCK_GROUP,
                label="Group" if not can_account else "Or a group",
                optional=can_account,
                hint=PlainTextObject(text="Membership of an IAM Identity Center group, for a while")
                if can_account
                else None,
                element=StaticSelectElement(action_id=ACTION_GROUP, options=_options(groups)),
            )
        )
    blocks += [
        InputBlock(
            block_id=BLOCK_DURATION,
            label="For how long",
            element=StaticSelectElement(
                action_id=ACTION_DURATION, options=_options((d, d) for d in durations)
            ),
        ),
        InputBlock(
            block_id=BLOCK_REASON,
            label="Reason",
            element=PlainTextInputElement(
                action_id=ACTION_REASON, multiline=True, min_length=1, max_length=REASON_MAX_LENGTH
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=CALLBACK_REQUEST_MODAL,
        title="Request AWS access",
        submit="Request",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def _subject_fields(subject: Subject) -> list[PlainTextObject]:
    if subject.group is not None:
        fields = [
            PlainTextObject(text=f"Group: {group_label(subject.group.id, subject.group.name)}", emoji=False)
        ]
    else:
        account = account_label(subject.account_id, subject.account_name)
        fields = [
            PlainTextObject(text=f"Account: {account}", emoji=False),
            PlainTextObject(text=f"Permission set: {subject.permission_set_name}", emoji=False),
        ]
    fields += [
        PlainTextObject(text=f"Duration: {format_duration(subject.duration)}", emoji=False),
        PlainTextObject(text=f"Reason: {subject.reason}", emoji=False),
    ]
    if subject.ticket:
        fields.append(PlainTextObject(text=f"Ticket: {subject.ticket}", emoji=False))
    return fields


_STATUS_WORDS = {
    Status.PENDING: "Waiting for approval",
    Status.APPROVED: "Approved, granting access",
    Status.GRANTING: "Granting access",
    Status.GRANTED: "Access granted",
    Status.GRANT_FAILED: "Grant failed",
    Status.DENIED: "Denied",
    Status.CANCELLED: "Cancelled",
    Status.EXPIRED: "Expired without a decision",
    Status.REVOKED: "Access ended",
    Status.REVOKE_FAILED: "Revocation failed: an administrator must remove the access",
}


def status_line(state: RequestState) -> str:
    words = _STATUS_WORDS[state.status]
    decision = state.decision
    if decision and decision.actor and state.status in (Status.DENIED, Status.APPROVED, Status.GRANTED):
        words += f" · decided by {decision.actor.email or decision.actor.slack_id}"
    if state.status is Status.GRANTED and state.end_at:
        words += f" · until {iso(state.end_at)}"
    if state.grant and state.status is Status.GRANT_FAILED:
        words += f" · {state.grant.details.get('failure_reason', '')}"
    return words


def request_message(state: RequestState, *, approver_slack_ids: Iterable[str] = ()) -> tuple[str, list[dict]]:
    """The channel message for a request in its current state: (fallback text, blocks)."""
    subject = state.subject
    mentions = " ".join(f"<@{uid}>" for uid in sorted(set(approver_slack_ids)))
    headline = f"<@{subject.requester.slack_id}> requests AWS access"
    if state.status is Status.PENDING and mentions:
        headline += f" · approvers: {mentions}"
    blocks: list = [
        SectionBlock(text=MarkdownTextObject(text=headline, verbatim=True), fields=_subject_fields(subject)),
        ContextBlock(
            elements=[PlainTextObject(text=f"{status_line(state)} · request {state.request_id}", emoji=False)]
        ),
    ]
    if state.status is Status.PENDING:
        blocks.append(
            ActionsBlock(
                block_id="decision",
                elements=[
                    ButtonElement(
                        text="Approve", action_id=ACTION_APPROVE, value=state.request_id, style="primary"
                    ),
                    ButtonElement(text="Deny", action_id=ACTION_DENY, value=state.request_id, style="danger"),
                ],
            )
        )
    text = f"AWS access request: {target_label(subject)} — {status_line(state)}"
    return text, [block.to_dict() for block in blocks]
