"""SSM Parameter Store: the Slack bot token and signing secret, read by name, decrypted, kept in memory."""

from __future__ import annotations

from typing import Any

from jit_access.edges.retry import AwsError, call_with_retry, is_access_denied
from jit_access.errors import ConfigError, EdgeError


class SecretNotFound(EdgeError, ConfigError):
    """The parameter does not exist or cannot be read: the deployment is wrong. Names the parameter only."""


class Secrets:
    """Reads each parameter once per instance. Values never reach a log, an error message or a repr."""

    def __init__(self, *, ssm: Any):
        self._ssm = ssm
        self._cache: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Secrets(cached={sorted(self._cache)})"

    def get(self, name: str) -> str:
        if name not in self._cache:
            self._cache[name] = self._read(name)
        return self._cache[name]

    def _read(self, name: str) -> str:
        try:
            response = call_with_retry(self._ssm.get_parameter, Name=name, WithDecryption=True)
        except AwsError as error:
            if error.code in ("ParameterNotFound", "ParameterVersionNotFound"):
                raise SecretNotFound(f"SSM parameter {name} does not exist", cause=error.cause) from error
            if is_access_denied(error.code) or error.code.startswith("KMS") or error.code == "InvalidKeyId":
                raise SecretNotFound(
                    f"SSM parameter {name} cannot be read or decrypted by this Lambda ({error.code}): grant "
                    "ssm:GetParameter on it and kms:Decrypt on its key",
                    cause=error.cause,
                ) from error
            raise
        value = str(response["Parameter"].get("Value", ""))
        if not value:
            raise SecretNotFound(f"SSM parameter {name} is empty")
        return value
