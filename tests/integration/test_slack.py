"""SlackGateway against a local HTTP stand-in for the Slack Web API that records every call."""

from __future__ import annotations

import json
import socket
import time

import pytest

from jit_access.edges.slack import SlackError, SlackGateway


@pytest.fixture
def slack(slack_api):
    return SlackGateway.from_token("xoxb-test-token", base_url=slack_api.base_url)


def test_calls_carry_the_bot_token(slack, slack_api):
    slack.post_ephemeral(channel="C1", user="U1", text="Not done")

    (call,) = slack_api.called("chat.postEphemeral")
    assert call.headers["authorization"] == "Bearer xoxb-test-token"
    assert (call.params["channel"], call.params["user"], call.params["text"]) == ("C1", "U1", "Not done")


def test_post_message_never_unfurls_and_returns_the_ts(slack, slack_api):
    slack_api.reply("chat.postMessage", {"ok": True, "channel": "C1", "ts": "1714567890.000100"})
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*prod* admin for 1h"}}]

    ts = slack.post_message(channel="C1", text="Access request", blocks=blocks, thread_ts="1714567000.000001")

    assert ts == "1714567890.000100"
    (call,) = slack_api.called("chat.postMessage")
    assert call.params["unfurl_links"] is False
    assert call.params["unfurl_media"] is False
    assert call.params["blocks"] == blocks
    assert call.params["thread_ts"] == "1714567000.000001"


def test_update_message_replaces_text_and_blocks(slack, slack_api):
    slack.update_message(channel="C1", ts="1.2", text="Approved", blocks=[{"type": "divider"}])

    (call,) = slack_api.called("chat.update")
    assert call.params == {"channel": "C1", "ts": "1.2", "text": "Approved", "blocks": [{"type": "divider"}]}


def test_dm_goes_to_the_user_id(slack, slack_api):
    slack.send_dm(user="U42", text="Your access has ended.")

    (call,) = slack_api.called("chat.postMessage")
    assert call.params["channel"] == "U42"
    assert call.params["unfurl_links"] is False


def test_open_view_sends_the_trigger_and_view(slack, slack_api):
    view = {"type": "modal", "callback_id": "request", "title": {"type": "plain_text", "text": "Request"}}

    slack.open_view(trigger_id="123.456.abc", view=view)

    (call,) = slack_api.called("views.open")
    assert call.params["trigger_id"] == "123.456.abc"
    view_sent = call.params["view"]
    assert (json.loads(view_sent) if isinstance(view_sent, str) else view_sent) == view


def test_user_email_from_the_profile_lower_cased(slack, slack_api):
    slack_api.reply(
        "users.info", {"ok": True, "user": {"id": "U1", "profile": {"email": "Alice@Example.com"}}}
    )
    slack_api.reply("users.info", {"ok": True, "user": {"id": "U2", "profile": {}}})
    slack_api.reply("users.info", {"ok": False, "error": "user_not_found"})

    assert slack.user_email("U1") == "alice@example.com"
    assert slack.user_email("U2") is None
    assert slack.user_email("U3") is None
    assert [c.params["user"] for c in slack_api.called("users.info")] == ["U1", "U2", "U3"]


def test_user_id_by_email(slack, slack_api):
    slack_api.reply("users.lookupByEmail", {"ok": True, "user": {"id": "U7"}})
    slack_api.reply("users.lookupByEmail", {"ok": False, "error": "users_not_found"})

    assert slack.user_id_by_email("bob@example.com") == "U7"
    assert slack.user_id_by_email("nobody@example.com") is None


def test_membership_is_checked_on_every_page(slack, slack_api):
    slack_api.reply(
        "conversations.members",
        {"ok": True, "members": ["U1", "U2"], "response_metadata": {"next_cursor": "c2"}},
    )
    slack_api.reply(
        "conversations.members", {"ok": True, "members": ["U3"], "response_metadata": {"next_cursor": "c3"}}
    )
    slack_api.reply(
        "conversations.members", {"ok": True, "members": ["U9"], "response_metadata": {"next_cursor": ""}}
    )

    assert slack.is_member(channel="C1", user="U9")
    assert [c.params.get("cursor") for c in slack_api.called("conversations.members")] == [None, "c2", "c3"]


def test_non_member_after_the_last_page(slack, slack_api):
    slack_api.reply(
        "conversations.members", {"ok": True, "members": ["U1"], "response_metadata": {"next_cursor": "c2"}}
    )
    slack_api.reply(
        "conversations.members", {"ok": True, "members": ["U2"], "response_metadata": {"next_cursor": ""}}
    )

    assert not slack.is_member(channel="C1", user="U9")
    assert len(slack_api.called("conversations.members")) == 2


@pytest.fixture
def waits(monkeypatch):
    """slack_sdk's retry handlers sleep with time.sleep: record the waits instead of spending them."""
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


def test_rate_limit_is_waited_out_and_retried(slack, slack_api, waits):
    slack_api.reply(
        "chat.postMessage", {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "3"}
    )
    slack_api.reply("chat.postMessage", {"ok": True, "ts": "9.9"})

    assert slack.post_message(channel="C1", text="hello") == "9.9"
    assert len(slack_api.called("chat.postMessage")) == 2
    assert len(waits) == 1 and waits[0] >= 3


def test_persistent_rate_limit_is_a_retryable_error(slack, slack_api, waits):
    for _ in range(3):
        slack_api.reply(
            "chat.postMessage",
            {"ok": False, "error": "ratelimited"},
            status=429,
            headers={"Retry-After": "1"},
        )

    with pytest.raises(SlackError) as raised:
        slack.post_message(channel="C1", text="hello")

    assert raised.value.retryable is True
    assert raised.value.error == "ratelimited"
    assert len(slack_api.called("chat.postMessage")) == 3  # the first try and two retries


def test_slack_refusal_is_an_edge_error_keeping_the_response(slack, slack_api):
    slack_api.reply("chat.postMessage", {"ok": False, "error": "channel_not_found"})

    with pytest.raises(SlackError) as raised:
        slack.post_message(channel="C404", text="hello")

    assert raised.value.error == "channel_not_found"
    assert raised.value.response["error"] == "channel_not_found"
    assert raised.value.retryable is False
    assert "chat.postMessage" in str(raised.value)


def test_slack_server_error_is_retryable(slack, slack_api):
    slack_api.reply("chat.update", {"ok": False, "error": "internal_error"}, status=500)

    with pytest.raises(SlackError) as raised:
        slack.update_message(channel="C1", ts="1.2", text="x")

    assert raised.value.retryable is True


def test_unreachable_slack_is_retried_then_a_retryable_edge_error(waits):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    slack = SlackGateway.from_token("xoxb-test-token", base_url=f"http://127.0.0.1:{port}/api")

    with pytest.raises(SlackError) as raised:
        slack.post_ephemeral(channel="C1", user="U1", text="x")

    assert raised.value.retryable is True
    assert len(waits) == 2  # two reconnection attempts before giving up
