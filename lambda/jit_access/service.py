"""The imperative shell: carries out what the core decides, through the edges.

Every state change is a create-only write at the request's fixed slot; the loser of a race reads what the
winner wrote and tells the person in neutral words. Handlers call these use cases and hold no rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from jit_access.config import Config
from jit_access.core import views
from jit_access.core.lifecycle import (
    SLOT_DECISION,
    SLOT_GRANT,
    SLOT_GRANT_STARTED,
    SLOT_REQUESTED,
    SLOT_REVOKE,
    EventType,
    Person,
    RequestState,
    Status,
    Subject,
    approval_slot,
    make_event,
)
from jit_access.core.rules import Decision, Outcome, check_approver, decide_request
from jit_access.core.timeutil import iso
from jit_access.directory import AccountDirectory
from jit_access.errors import AlreadyRecorded, EdgeError

log = logging.getLogger(__name__)


class Notifier(Protocol):
    def post_message(
        self, *, channel: str, text: str, blocks: list[dict] | None = None, thread_ts: str | None = None
    ) -> str: ...
    def update_message(
        self, *, channel: str, ts: str, text: str, blocks: list[dict] | None = None
    ) -> None: ...
    def post_ephemeral(self, *, channel: str, user: str, text: str) -> None: ...
    def send_dm(self, *, user: str, text: str) -> None: ...
    def user_email(self, user_id: str) -> str | None: ...
    def user_id_by_email(self, email: str) -> str | None: ...
    def open_view(self, *, trigger_id: str, view: dict) -> None: ...


@dataclass
class AccessService:
    config: Config
    config_version: str
    store: Any  # edges.store.RequestStore
    identity: Any  # edges.identity_center.IdentityCenter
    scheduler: Any  # edges.scheduler.RevokeScheduler
    slack: Notifier
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    accounts: AccountDirectory | None = None  # None: the config's account names, no OU resolution

    def account_names(self) -> dict[str, str]:
        return self.accounts.names() if self.accounts else dict(self.config.account_names)

    def _ou_accounts(self) -> dict[str, frozenset[str]]:
        return self.accounts.ou_accounts() if self.accounts else {}

    # --- reading -----------------------------------------------------------------------------------------

    def state(self, request_id: str) -> RequestState | None:
        events = self.store.read_events(request_id)
        return RequestState.fold(events) if events else None

    def _append(
        self,
        state: RequestState,
        event: EventType,
        slot: str,
        *,
        actor: Person | None = None,
        rule_ids: tuple[str, ...] = (),
        details: dict[str, Any] | None = None,
    ) -> RequestState:
        """Write one event create-only; AlreadyRecorded propagates: the caller decides what it means."""
        record = make_event(
            event,
            request_id=state.request_id,
            now=self.clock(),
            subject=state.subject,
            prev_sha256=state.last_sha256,
            actor=actor,
            rule_ids=rule_ids,
            details=details,
            config_version=self.config_version,
        )
        self.store.put_event(state.request_id, slot, record.to_bytes())
        refreshed = self.state(state.request_id)
        assert refreshed is not None
        return refreshed

    def decide(self, subject: Subject) -> Decision:
        return decide_request(
            self.config,
            requester_email=subject.requester.email or "",
            target=subject.target,
            duration=subject.duration,
            reason=subject.reason,
            ticket=subject.ticket,
            ou_accounts=self._ou_accounts(),
        )

    # --- submit ------------------------------------------------------------------------------------------

    def submit(self, request_id: str, subject: Subject) -> RequestState:
        """Record a validated request, announce it, and grant at once where self/auto approval applies."""
        decision = self.decide(subject)
        state = self.state(request_id)
        if state is None:
            approver_ids = sorted(
                uid for uid in (self.slack.user_id_by_email(email) for email in decision.approvers) if uid
            )
            first = make_event(
                EventType.REQUESTED,
                request_id=request_id,
                now=self.clock(),
                subject=subject,
                prev_sha256=None,
                actor=subject.requester,
                rule_ids=decision.rule_ids,
                details={
                    "decision": decision.outcome.value,
                    "decision_reason": decision.reason,
                    "approvers": sorted(decision.approvers),
                    "approver_slack_ids": approver_ids,
                    "required_approvals": decision.required_approvals,
                },
                config_version=self.config_version,
            )
            try:
                self.store.put_event(request_id, SLOT_REQUESTED, first.to_bytes())
            except AlreadyRecorded:
                log.info("request %s already recorded (redelivery)", request_id)
            state = self.state(request_id)
            assert state is not None
        try:
            self._announce(state)
        except EdgeError as error:
            if error.retryable or state.status is not Status.PENDING:
                raise
            return self._unannounceable(state, error)

        if state.status is Status.PENDING and decision.outcome is Outcome.REFUSED:
            # The rules changed between the modal and the queue: refuse on the record, in words.
            state = self._decide_once(
                state, EventType.DENIED, None, decision.rule_ids, {"reason": decision.reason}
            )
        elif state.status is Status.PENDING and decision.grants_now:
            kind = (
                EventType.SELF_APPROVED
                if decision.outcome is Outcome.SELF_APPROVED
                else EventType.AUTO_APPROVED
            )
            actor = subject.requester if kind is EventType.SELF_APPROVED else None
            state = self._decide_once(state, kind, actor, decision.rule_ids, {"reason": decision.reason})
        if state.status in (Status.APPROVED, Status.GRANTING):
            state = self.grant(state)
        return state

    def _decide_once(
        self,
        state: RequestState,
        kind: EventType,
        actor: Person | None,
        rule_ids: tuple[str, ...],
        details: dict[str, Any],
    ) -> RequestState:
        try:
            state = self._append(state, kind, SLOT_DECISION, actor=actor, rule_ids=rule_ids, details=details)
        except AlreadyRecorded:
            state = self.state(state.request_id) or state
        self._refresh_message(state, thread_note=_decision_note(state))
        return state

    # --- clicks ------------------------------------------------------------------------------------------

    def click(
        self, *, request_id: str, action: str, actor_slack_id: str, channel_id: str
    ) -> RequestState | None:
        """Approve or Deny pressed. Authorised against the current rules; a refused click changes nothing."""
        state = self.state(request_id)
        if state is None:
            self.slack.post_ephemeral(
                channel=channel_id, user=actor_slack_id, text="This request does not exist."
            )
            return None
        if state.status in (Status.APPROVED, Status.GRANTING):
            # Decided on the record, but the work after it was cut off (a Slack or AWS failure, a timeout):
            # this click or its redelivery carries the grant on. It exercises no new authority.
            return self.grant(state)
        if state.status is not Status.PENDING:
            self.slack.post_ephemeral(
                channel=channel_id, user=actor_slack_id, text=f"Nothing to do: {views.status_line(state)}."
            )
            return state
        actor_email = self.slack.user_email(actor_slack_id)
        check = check_approver(
            self.config,
            approver_email=actor_email or "",
            requester_email=state.subject.requester.email or "",
            target=state.subject.target,
            duration=state.subject.duration,
            ou_accounts=self._ou_accounts(),
        )
        if not actor_email or not check.allowed:
            reason = check.reason if actor_email else "your Slack profile has no email address"
            log.info("click %s on %s by %s refused: %s", action, request_id, actor_slack_id, reason)
            self.slack.post_ephemeral(channel=channel_id, user=actor_slack_id, text=f"Not done: {reason}.")
            return state
        actor = Person(slack_id=actor_slack_id, email=actor_email)
        if action == views.ACTION_DENY:
            denied = self._decide_once(state, EventType.DENIED, actor, check.rule_ids, {})
            self._tell_requester(
                denied, f"Your request for {_target_words(denied)} was denied by {actor.email}."
            )
            return denied
        return self._approve(state, actor, check.rule_ids, channel_id)

    def _approve(
        self, state: RequestState, actor: Person, rule_ids: tuple[str, ...], channel_id: str
    ) -> RequestState:
        try:
            state = self._append(
                state, EventType.APPROVAL, approval_slot(actor.slack_id), actor=actor, rule_ids=rule_ids
            )
        except AlreadyRecorded:
            self.slack.post_ephemeral(
                channel=channel_id, user=actor.slack_id, text="You have already approved this."
            )
            state = self.state(state.request_id) or state
        needed = self.decide(state.subject).required_approvals
        if len(state.approver_ids) < needed:
            self._refresh_message(
                state, thread_note=f"Approved by {actor.email} ({len(state.approver_ids)} of {needed})."
            )
            return state
        state = self._decide_once(
            state, EventType.APPROVED, actor, rule_ids, {"approvers": sorted(state.approver_ids)}
        )
        if state.status in (Status.APPROVED, Status.GRANTING):
            state = self.grant(state)
        return state

    # --- grant and revoke --------------------------------------------------------------------------------

    def grant(self, state: RequestState) -> RequestState:
        """Write-ahead, assign, schedule the revoke, record the outcome. Never a grant without a revoke."""
        if state.grant is not None:
            return state
        subject = state.subject
        if state.status is Status.APPROVED and self._has_access(subject):
            # Identity Center holds one assignment per user, account and permission set (one membership per
            # user and group): granting over standing access or another live grant would let this grant's
            # revoke end that access.
            return self._grant_failed(
                state, "you already have this access (standing, or another grant); nothing was changed", None
            )
        try:
            state = self._append(state, EventType.GRANT_STARTED, SLOT_GRANT_STARTED)
        except AlreadyRecorded:
            # A previous delivery got this far and died, or is still working: carry on idempotently.
            state = self.state(state.request_id) or state
            if state.grant is not None:
                return state
        try:
            result = self._create_access(subject)
        except EdgeError as error:
            if error.retryable:
                raise
            return self._grant_failed(state, str(error), None)
        if result.status != "SUCCEEDED":
            return self._grant_failed(
                state, result.failure_reason or "Identity Center reported FAILED", result.request_id
            )

        started = self.clock()
        end_at = started + subject.duration
        try:
            schedule_name = self.scheduler.schedule_revoke(
                request_id=state.request_id,
                at=end_at,
                payload={"action": "revoke", "request_id": state.request_id},
            )
        except EdgeError as error:
            log.error("revoke schedule for %s failed; rolling the grant back: %s", state.request_id, error)
            self._delete_access(subject)
            return self._grant_failed(
                state,
                f"the revocation could not be scheduled, so the access was removed again ({error})",
                None,
            )
        try:
            state = self._append(
                state,
                EventType.GRANTED,
                SLOT_GRANT,
                details={
                    "started_at": iso(started),
                    "end_at": iso(end_at),
                    "aws_request_id": result.request_id,
                    "schedule_name": schedule_name,
                },
            )
        except AlreadyRecorded:
            return self.state(state.request_id) or state
        self._refresh_message(state, thread_note=f"Access granted until {iso(end_at)}.")
        self._tell_requester(state, f"Your access to {_target_words(state)} is granted until {iso(end_at)}.")
        return state

    def _grant_failed(self, state: RequestState, reason: str, aws_request_id: str | None) -> RequestState:
        try:
            state = self._append(
                state,
                EventType.GRANT_FAILED,
                SLOT_GRANT,
                details={"failure_reason": reason, "aws_request_id": aws_request_id},
            )
        except AlreadyRecorded:
            return self.state(state.request_id) or state
        self._refresh_message(state, thread_note=f"Grant failed: {reason}")
        self._tell_requester(state, f"Your access to {_target_words(state)} could not be granted: {reason}")
        return state

    def revoke(self, request_id: str, *, how: str, actor: Person | None = None) -> RequestState | None:
        state = self.state(request_id)
        if state is None or state.status is not Status.GRANTED:
            log.info(
                "revoke of %s: nothing to do (%s)", request_id, state.status.value if state else "unknown"
            )
            return state
        try:
            result = self._delete_access(state.subject)
            failure = None if result.status == "SUCCEEDED" else (result.failure_reason or "FAILED")
            aws_request_id = result.request_id
        except EdgeError as error:
            if error.retryable:
                raise
            failure, aws_request_id = str(error), None
        kind = EventType.REVOKED if failure is None else EventType.REVOKE_FAILED
        details = {
            "how": how,
            "aws_request_id": aws_request_id,
            "scheduled_end_at": state.grant.details["end_at"] if state.grant else None,
        }
        if failure:
            details["failure_reason"] = failure
        try:
            state = self._append(state, kind, SLOT_REVOKE, actor=actor, details=details)
        except AlreadyRecorded:
            return self.state(request_id)
        if failure:
            self._refresh_message(state, thread_note=f"Revocation failed: {failure}")
        else:
            self._refresh_message(state, thread_note="Access ended.")
            self._tell_requester(state, f"Your access to {_target_words(state)} has ended.")
        return state

    # --- the access itself: an account assignment or a group membership ----------------------------------

    def _has_access(self, subject: Subject) -> bool:
        user_id = subject.requester.identity_center_user_id
        assert user_id
        if subject.group is not None:
            return bool(self.identity.has_group_membership(group_id=subject.group.id, user_id=user_id))
        return bool(
            self.identity.has_assignment(
                account_id=subject.account_id, permission_set_arn=subject.permission_set_arn, user_id=user_id
            )
        )

    def _create_access(self, subject: Subject) -> Any:
        user_id = subject.requester.identity_center_user_id
        assert user_id
        if subject.group is not None:
            return self.identity.create_group_membership(group_id=subject.group.id, user_id=user_id)
        return self.identity.create_assignment(
            account_id=subject.account_id, permission_set_arn=subject.permission_set_arn, user_id=user_id
        )

    def _delete_access(self, subject: Subject) -> Any:
        user_id = subject.requester.identity_center_user_id
        assert user_id
        if subject.group is not None:
            return self.identity.delete_group_membership(group_id=subject.group.id, user_id=user_id)
        return self.identity.delete_assignment(
            account_id=subject.account_id, permission_set_arn=subject.permission_set_arn, user_id=user_id
        )

    # --- Slack -------------------------------------------------------------------------------------------

    def _announce(self, state: RequestState) -> None:
        if self.store.get_message_ref(state.request_id) is not None:
            return
        text, blocks = views.request_message(state, approver_slack_ids=state.approver_slack_ids)
        ts = self.slack.post_message(channel=self.config.slack.channel_id, text=text, blocks=blocks)
        self.store.put_message_ref(state.request_id, channel=self.config.slack.channel_id, ts=ts)

    def _unannounceable(self, state: RequestState, error: EdgeError) -> RequestState:
        """Slack refused the channel post for good (e.g. the app is not in the channel): close the request
        on the record and tell the requester, instead of retrying into the dead-letter queue."""
        log.error("request %s could not be posted to the approvers' channel: %s", state.request_id, error)
        reason = f"it could not be posted in the approvers' channel ({error}); ask your platform team"
        state = self._decide_once(state, EventType.DENIED, None, (), {"reason": reason})
        self._tell_requester(state, f"Your request for {_target_words(state)} was not sent: {reason}.")
        return state

    def _refresh_message(self, state: RequestState, *, thread_note: str | None = None) -> None:
        ref = self.store.get_message_ref(state.request_id)
        if ref is None:
            return
        channel, ts = ref
        text, blocks = views.request_message(state, approver_slack_ids=state.approver_slack_ids)
        self.slack.update_message(channel=channel, ts=ts, text=text, blocks=blocks)
        if thread_note:
            self.slack.post_message(channel=channel, text=thread_note, thread_ts=ts)

    def _tell_requester(self, state: RequestState, text: str) -> None:
        try:
            self.slack.send_dm(user=state.subject.requester.slack_id, text=text)
        except EdgeError as error:  # the channel already shows it; a DM failure must not undo a grant
            log.warning("could not DM the requester of %s: %s", state.request_id, error)


def _target_words(state: RequestState) -> str:
    return views.target_label(state.subject)


def _decision_note(state: RequestState) -> str:
    decision = state.decision
    if decision is None:
        return ""
    who = decision.actor.email if decision.actor else "the rules"
    if decision.event is EventType.DENIED and decision.actor is None:
        return f"Refused: {decision.details.get('reason', '')}"
    return {
        EventType.APPROVED: f"Approved by {who}.",
        EventType.SELF_APPROVED: f"Self-approved by {who} (rule {', '.join(decision.rule_ids)}).",
        EventType.AUTO_APPROVED: f"No approval required (rule {', '.join(decision.rule_ids)}).",
        EventType.DENIED: f"Denied by {who}.",
    }.get(decision.event, views.status_line(state))
