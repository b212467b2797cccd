"""The local stack's Slack stand-in, driven by slack_sdk's WebClient as the functions drive it."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from jit_access.edges.slack import SlackGateway
from jit_access.local import seed
from jit_access.local.slack_standin import SlackStandIn, start_in_thread

TOKEN = "xoxb-local-test"


@pytest.fixture
def standin() -> Iterator[tuple[SlackStandIn, str]]:
    standin = SlackStandIn(
        token=TOKEN, team_id=seed.TEAM_ID, channel_id=seed.CHANNEL_ID, people=seed.slack_people()
    )
    server, api_url = start_in_thread(standin)
    yield standin, api_url
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(standin: tuple[SlackStandIn, str]) -> WebClient:
    return WebClient(token=TOKEN, base_url=standin[1])


def _error(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


def test_the_bot_token_is_checked(standin: tuple[SlackStandIn, str], client: WebClient) -> None:
    assert client.auth_test()["team_id"] == seed.TEAM_ID
    assert _error(WebClient(token="xoxb-wrong", base_url=standin[1]).auth_test) == "invalid_auth"
    assert _error(WebClient(base_url=standin[1]).auth_test) == "not_authed"


def test_users_info_gives_the_profile_email_as_slack_shows_it(client: WebClient) -> None:
    bob = client.users_info(user="U0BOB0001")["user"]

    assert bob["profile"]["email"] == "Bob@Example.com"
    assert bob["real_name"] == "Bob Builder"
    assert _error(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"


def test_lookup_by_email_ignores_case(client: WebClient) -> None:
    assert client.users_lookupByEmail(email="bob@example.com")["user"]["id"] == "U0BOB0001"
    assert _error(lambda: client.users_lookupByEmail(email="eve@example.com")) == "users_not_found"


def test_posted_messages_get_increasing_ts_and_can_be_updated(client: WebClient) -> None:
    first = client.chat_postMessage(channel=seed.CHANNEL_ID, text="one")
    second = client.chat_postMessage(channel=seed.CHANNEL_ID, text="two", blocks=[])
    updated = client.chat_update(channel=seed.CHANNEL_ID, ts=first["ts"], text="one, updated")

    assert first["channel"] == seed.CHANNEL_ID
    assert float(second["ts"]) > float(first["ts"])
    assert second["ts"] > first["ts"]
    assert updated["text"] == "one, updated"
    assert _error(lambda: client.chat_update(channel=seed.CHANNEL_ID, ts="1.000001", text="x")) == (
        "message_not_found"
    )
    assert _error(lambda: client.chat_postMessage(channel="C0UNKNOWN", text="x")) == "channel_not_found"


def test_a_message_to_a_user_lands_in_the_apps_dm(client: WebClient) -> None:
    assert client.chat_postMessage(channel="U0ALICE01", text="granted")["channel"] == "D0ALICE01"
    assert client.conversations_open(users="U0ALICE01")["channel"]["id"] == "D0ALICE01"


def test_a_trigger_id_opens_one_view(client: WebClient) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Request"}, "blocks": []}

    opened = client.views_open(trigger_id="1.2.abc", view=view)["view"]
    updated = client.views_update(view_id=opened["id"], view=view)["view"]

    assert opened["id"].startswith("V") and updated["id"] == opened["id"]
    assert _error(lambda: client.views_open(trigger_id="1.2.abc", view=view)) == "exchanged_trigger_id"
    assert _error(lambda: client.views_update(view_id="V0NONE", view=view)) == "not_found"


def test_channel_members_come_in_pages_of_two(client: WebClient) -> None:
    pages, cursor = [], None
    while True:
        response = client.conversations_members(channel=seed.CHANNEL_ID, limit=1000, cursor=cursor)
        pages.append(response["members"])
        cursor = response["response_metadata"]["next_cursor"]
        if not cursor:
            break

    assert all(len(page) <= 2 for page in pages) and len(pages) >= 3
    assert {m for page in pages for m in page} >= {p["id"] for p in seed.slack_people()}


def test_the_gateway_of_the_functions_follows_the_cursor(standin: tuple[SlackStandIn, str]) -> None:
    slack = SlackGateway.from_token(TOKEN, base_url=standin[1])

    assert slack.is_member(channel=seed.CHANNEL_ID, user="U0DAVE001")  # on the last page
    assert not slack.is_member(channel=seed.CHANNEL_ID, user="U0NOBODY")
    assert slack.user_email("U0BOB0001") == "bob@example.com"  # the profile says Bob@Example.com
    assert slack.user_email("U0NOBODY") is None


def test_unknown_methods_are_refused(client: WebClient) -> None:
    assert _error(lambda: client.api_call("reactions.add", json={"name": "thumbsup"})) == "unknown_method"


def test_every_call_is_recorded_in_order_without_the_token(
    standin: tuple[SlackStandIn, str], client: WebClient
) -> None:
    base = standin[1].removesuffix("/api/")
    client.chat_postMessage(channel=seed.CHANNEL_ID, text="hello", blocks=[{"type": "divider"}])
    with pytest.raises(SlackApiError):
        client.users_info(user="U0NOBODY")

    with urllib.request.urlopen(f"{base}/_calls") as response:
        calls = json.loads(response.read())

    assert [c["method"] for c in calls] == ["chat.postMessage", "users.info"]
    assert calls[0]["args"]["blocks"] == [{"type": "divider"}]
    assert calls[0]["response"]["ts"]
    assert calls[1]["ok"] is False and calls[1]["error"] == "user_not_found"
    assert calls[0]["seq"] < calls[1]["seq"] and calls[0]["time"].endswith("Z")
    assert all(TOKEN not in json.dumps(c) for c in calls)

    urllib.request.urlopen(urllib.request.Request(f"{base}/_calls", method="DELETE")).close()
    assert standin[0].calls() == []


def test_a_planned_rate_limit_is_answered_with_429_and_retry_after(
    standin: tuple[SlackStandIn, str], client: WebClient
) -> None:
    standin[0].plan(
        {
            "method": "chat.postMessage",
            "error": "ratelimited",
            "status": 429,
            "headers": {"Retry-After": "0"},
            "count": 1,
        }
    )

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=seed.CHANNEL_ID, text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert client.chat_postMessage(channel=seed.CHANNEL_ID, text="x")["ok"]
