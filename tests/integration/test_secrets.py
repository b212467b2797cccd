"""Secrets against moto SSM: SecureString parameters read decrypted, once, and never shown."""

from __future__ import annotations

import logging

import boto3
import pytest
from botocore.stub import Stubber

from jit_access.edges.secrets import SecretNotFound, Secrets
from jit_access.errors import ConfigError

TOKEN = "xoxb-0000-secret-value"


class Counting:
    def __init__(self, client):
        self._client = client
        self.calls = 0

    def get_parameter(self, **params):
        self.calls += 1
        return self._client.get_parameter(**params)


@pytest.fixture
def ssm(aws):
    client = boto3.client("ssm", region_name="us-east-1")
    client.put_parameter(Name="/jit-access/slack/bot-token", Value=TOKEN, Type="SecureString")
    return client


def test_secure_string_is_read_decrypted_once(ssm, caplog):
    caplog.set_level(logging.DEBUG, logger="jit_access")
    counting = Counting(ssm)
    secrets = Secrets(ssm=counting)

    assert secrets.get("/jit-access/slack/bot-token") == TOKEN
    assert secrets.get("/jit-access/slack/bot-token") == TOKEN
    assert counting.calls == 1
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(secrets)


def test_missing_parameter_names_the_parameter(ssm):
    secrets = Secrets(ssm=ssm)

    with pytest.raises(SecretNotFound, match="/jit-access/slack/signing-secret") as raised:
        secrets.get("/jit-access/slack/signing-secret")

    assert isinstance(raised.value, ConfigError)  # a deployment problem: fail loudly at cold start
    assert not raised.value.retryable


def test_unreadable_parameter_says_which_permission_is_missing():
    client = boto3.client("ssm", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("get_parameter", "AccessDeniedException", "not authorized", 400)

        with pytest.raises(SecretNotFound) as raised:
            Secrets(ssm=client).get("/jit-access/slack/bot-token")

    message = str(raised.value)
    assert "/jit-access/slack/bot-token" in message
    assert "ssm:GetParameter" in message and "kms:Decrypt" in message
