"""The Slack Web API through one slack_sdk WebClient with explicit retry handlers."""

from __future__ import annotations

import logging
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from jit_access.errors import EdgeError

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
_TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)


class SlackError(EdgeError):
    """A Slack Web API call failed. `error` is Slack's error code; `response` the SlackResponse, if any."""

    def __init__(
        self, message: str, *, error: str = "", response: Any = None, retryable: bool, cause: Exception
    ):
        super().__init__(message, retryable=retryable, cause=cause)
        self.error = error
        self.response = response


class SlackGateway:
    def __init__(self, *, client: WebClient):
        self._client = client

    @classmethod
    def from_token(cls, token: str, base_url: str) -> SlackGateway:
        """A gateway whose client retries rate limits (honouring Retry-After) and dropped connections."""
        client = WebClient(
            token=token,
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            timeout=TIMEOUT_SECONDS,
            retry_handlers=[
                RateLimitErrorRetryHandler(max_retry_count=2),
                ConnectionErrorRetryHandler(max_retry_count=2),
            ],
        )
        return cls(client=client)

    def _call(self, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._client, method)(**kwargs)
        except SlackApiError as error:
            code = str(error.response.get("error", "")) if error.response is not None else ""
            status = getattr(error.response, "status_code", 0) or 0
            retryable = code in _TRANSIENT_ERRORS or status == 429 or status >= 500
            api = method.replace("_", ".", 1)
            raise SlackError(
                f"Slack {api} failed: {code or f'HTTP {status}'}",
                error=code,
                response=error.response,
                retryable=retryable,
                cause=error,
            ) from error
        except (SlackClientError, URLError, TimeoutError, ConnectionError) as error:
            api = method.replace("_", ".", 1)
            raise SlackError(
                f"Slack {api} failed: could not reach Slack ({error})", retryable=True, cause=error
            ) from error

    # --- people ------------------------------------------------------------------------------------------

    def user_email(self, user_id: str) -> str | None:
        """The email on the user's Slack profile, lower-cased; None for an unknown user or one without.

        Lower-cased because Slack keeps the case people typed while rules and Identity Center compare
        addresses case-insensitively: the audit trail should name one person one way.
        """
        try:
            response = self._call("users_info", user=user_id)
        except SlackError as error:
            if error.error == "user_not_found":
                return None
            raise
        email = (response.get("user") or {}).get("profile", {}).get("email")
        return str(email).lower() if email else None

    def user_id_by_email(self, email: str) -> str | None:
        """The Slack user with this email (users.lookupByEmail); None when there is none."""
        try:
            response = self._call("users_lookupByEmail", email=email)
        except SlackError as error:
            if error.error == "users_not_found":
                return None
            raise
        user_id = (response.get("user") or {}).get("id")
        return str(user_id) if user_id else None

    def is_member(self, *, channel: str, user: str) -> bool:
        """Whether the user is in the channel, reading every page of conversations.members."""
        cursor = None
        while True:
            response = self._call(
                "conversations_members", channel=channel, limit=1000, **({"cursor": cursor} if cursor else {})
            )
            if user in response.get("members", []):
                return True
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return False

    # --- views and messages ------------------------------------------------------------------------------

    def open_view(self, *, trigger_id: str, view: dict) -> None:
        self._call("views_open", trigger_id=trigger_id, view=view)

    def post_message(
        self, *, channel: str, text: str, blocks: list[dict] | None = None, thread_ts: str | None = None
    ) -> str:
        """Post and return the message's ts. Links are never unfurled (no previews of internal URLs)."""
        extra: dict[str, Any] = {}
        if blocks is not None:
            extra["blocks"] = blocks
        if thread_ts is not None:
            extra["thread_ts"] = thread_ts
        response = self._call(
            "chat_postMessage", channel=channel, text=text, unfurl_links=False, unfurl_media=False, **extra
        )
        return str(response["ts"])

    def update_message(self, *, channel: str, ts: str, text: str, blocks: list[dict] | None = None) -> None:
        extra: dict[str, Any] = {} if blocks is None else {"blocks": blocks}
        self._call("chat_update", channel=channel, ts=ts, text=text, **extra)

    def post_ephemeral(self, *, channel: str, user: str, text: str) -> None:
        self._call("chat_postEphemeral", channel=channel, user=user, text=text)

    def send_dm(self, *, user: str, text: str) -> None:
        """A direct message from the app: chat.postMessage to the user id opens the app's DM with them."""
        self._call("chat_postMessage", channel=user, text=text, unfurl_links=False, unfurl_media=False)
