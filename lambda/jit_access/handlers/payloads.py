"""Parse at the edge: API Gateway, Slack, SQS and Scheduler payloads into models. Input is hostile.

Only the fields jit-access uses are modelled; everything else Slack sends is ignored. Models never hold
the raw payload, so it cannot end up in a log.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from jit_access.core.lifecycle import REQUEST_ID, Subject
from jit_access.errors import RequestRejected

SlackId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,32}$")]
RequestId = Annotated[str, StringConstraints(pattern=REQUEST_ID.pattern)]


class _Lenient(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class HttpRequest(_Lenient):
    """API Gateway HTTP API (payload format 2.0), reduced to what the Slack endpoint needs."""

    headers: dict[str, str] = {}
    body: str = ""
    is_base64_encoded: bool = Field(default=False, alias="isBase64Encoded")

    @property
    def raw_body(self) -> str:
        """The body as Slack sent it (UTF-8 text); RequestRejected for anything else, before any work."""
        if not self.is_base64_encoded:
            return self.body
        try:
            return base64.b64decode(self.body, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError) as error:  # binascii.Error is a ValueError
            raise RequestRejected("the body is not UTF-8 text") from error

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


class SlackUser(_Lenient):
    id: SlackId
    team_id: SlackId | None = None


class SlackTeam(_Lenient):
    id: SlackId


class Shortcut(_Lenient):
    type: Literal["shortcut"]
    callback_id: str
    trigger_id: str
    user: SlackUser
    team: SlackTeam


class SubmittedView(_Lenient):
    id: str
    callback_id: str
    state: dict[str, Any]


class ViewSubmission(_Lenient):
    type: Literal["view_submission"]
    user: SlackUser
    team: SlackTeam
    view: SubmittedView

    def selected(self, block_id: str, action_id: str) -> str | None:
        """The value the person chose or typed; None when absent or of an unexpected shape."""
        value = self.view.state.get("values", {}).get(block_id, {}).get(action_id, {})
        if not isinstance(value, dict):
            return None
        option = value.get("selected_option")
        if isinstance(option, dict) and isinstance(option.get("value"), str):
            return option["value"]
        text = value.get("value")
        return text if isinstance(text, str) else None


class Action(_Lenient):
    action_id: str
    value: str = ""
    action_ts: str = ""


class Channel(_Lenient):
    id: SlackId


class BlockActions(_Lenient):
    type: Literal["block_actions"]
    user: SlackUser
    team: SlackTeam
    actions: list[Action] = Field(min_length=1)
    channel: Channel | None = None


Interaction = Annotated[Shortcut | ViewSubmission | BlockActions, Field(discriminator="type")]
_INTERACTION: TypeAdapter[Interaction] = TypeAdapter(Interaction)
_KNOWN_TYPES = {"shortcut", "view_submission", "block_actions"}


def parse_interaction(raw_body: str) -> Shortcut | ViewSubmission | BlockActions | None:
    """Form body `payload=<json>` → a model; None for interaction types jit-access does not handle."""
    form = parse_qs(raw_body, keep_blank_values=True)
    if "payload" not in form:
        raise RequestRejected("expected a Slack interaction payload")
    try:
        data = json.loads(form["payload"][0])
    except ValueError as error:
        raise RequestRejected("the payload is not JSON") from error
    if not isinstance(data, dict) or data.get("type") not in _KNOWN_TYPES:
        return None
    try:
        return _INTERACTION.validate_python(data)
    except ValidationError as error:
        raise RequestRejected(
            f"malformed {data.get('type')} payload ({error.error_count()} problems)"
        ) from error


# --- the work queue ---------------------------------------------------------------------------------------


class SubmitWork(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: Literal["submit"] = "submit"
    request_id: RequestId
    subject: Subject


class ClickWork(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: Literal["click"] = "click"
    request_id: RequestId
    action: Literal["approve", "deny"]
    actor_slack_id: SlackId
    channel_id: SlackId


Work = Annotated[SubmitWork | ClickWork, Field(discriminator="kind")]
WORK: TypeAdapter[Work] = TypeAdapter(Work)


class SqsRecord(_Lenient):
    message_id: str = Field(alias="messageId")
    body: str


class SqsEvent(_Lenient):
    records: list[SqsRecord] = Field(alias="Records")


# --- the revoker ------------------------------------------------------------------------------------------


class RevokeCommand(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    action: Literal["revoke"]
    request_id: RequestId


class ReconcileCommand(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    action: Literal["reconcile"]


RevokerCommand = Annotated[RevokeCommand | ReconcileCommand, Field(discriminator="action")]
REVOKER_COMMAND: TypeAdapter[RevokerCommand] = TypeAdapter(RevokerCommand)
