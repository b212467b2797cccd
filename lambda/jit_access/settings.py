"""Names and ARNs Terraform passes to the Lambdas through the environment.

The environment holds names and ARNs only; secrets are read from SSM by name (see edges/secrets.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from jit_access.errors import ConfigError

CONFIG_BUCKET = "JIT_ACCESS_CONFIG_BUCKET"
CONFIG_KEY = "JIT_ACCESS_CONFIG_KEY"
AUDIT_BUCKET = "JIT_ACCESS_AUDIT_BUCKET"
QUEUE_URL = "JIT_ACCESS_QUEUE_URL"
SCHEDULE_GROUP = "JIT_ACCESS_SCHEDULE_GROUP"
SCHEDULER_ROLE_ARN = "JIT_ACCESS_SCHEDULER_ROLE_ARN"
REVOKER_ARN = "JIT_ACCESS_REVOKER_ARN"
SSO_INSTANCE_ARN = "JIT_ACCESS_SSO_INSTANCE_ARN"
IDENTITY_STORE_ID = "JIT_ACCESS_IDENTITY_STORE_ID"
SLACK_BOT_TOKEN_PARAMETER = "JIT_ACCESS_SLACK_BOT_TOKEN_PARAMETER"
SLACK_SIGNING_SECRET_PARAMETER = "JIT_ACCESS_SLACK_SIGNING_SECRET_PARAMETER"
LOG_LEVEL = "JIT_ACCESS_LOG_LEVEL"

_FIELDS = {
    "config_bucket": CONFIG_BUCKET,
    "config_key": CONFIG_KEY,
    "audit_bucket": AUDIT_BUCKET,
    "queue_url": QUEUE_URL,
    "schedule_group": SCHEDULE_GROUP,
    "scheduler_role_arn": SCHEDULER_ROLE_ARN,
    "revoker_arn": REVOKER_ARN,
    "sso_instance_arn": SSO_INSTANCE_ARN,
    "identity_store_id": IDENTITY_STORE_ID,
    "slack_bot_token_parameter": SLACK_BOT_TOKEN_PARAMETER,
    "slack_signing_secret_parameter": SLACK_SIGNING_SECRET_PARAMETER,
}
# The revoker never enqueues, schedules or verifies Slack requests, so Terraform does not give it these.
_REQUESTER_ONLY = {"queue_url", "scheduler_role_arn", "revoker_arn", "slack_signing_secret_parameter"}


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    config_bucket: str
    config_key: str
    audit_bucket: str
    schedule_group: str
    sso_instance_arn: str
    identity_store_id: str
    slack_bot_token_parameter: str
    queue_url: str = ""
    scheduler_role_arn: str = ""
    revoker_arn: str = ""
    slack_signing_secret_parameter: str = ""
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, requester: bool = True) -> Settings:
        environ = os.environ if environ is None else environ
        required = {f for f in _FIELDS if requester or f not in _REQUESTER_ONLY}
        missing = sorted(_FIELDS[f] for f in required if not environ.get(_FIELDS[f]))
        if missing:
            raise ConfigError(f"missing environment variables: {', '.join(missing)}")
        values = {field: environ[name] for field, name in _FIELDS.items() if environ.get(name)}
        return cls(**values, log_level=environ.get(LOG_LEVEL, "INFO"))
