"""Composition root: settings, config, clients and edges, built on first use and kept per warm container.

Nothing here runs at import. Secrets are read from SSM once per cold start and held only in memory.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from slack_sdk.signature import SignatureVerifier

from jit_access.config import Config, config_sha256
from jit_access.directory import AccountDirectory
from jit_access.edges.identity_center import IdentityCenter
from jit_access.edges.organizations import Organization
from jit_access.edges.queue import WorkQueue
from jit_access.edges.scheduler import RevokeScheduler
from jit_access.edges.secrets import Secrets
from jit_access.edges.slack import SlackGateway
from jit_access.edges.store import RequestStore, load_config_object
from jit_access.service import AccessService
from jit_access.settings import Settings

log = logging.getLogger(__name__)

# Retries of throttling and 5xx for every client live here; ConflictException is retried in edges.retry.
_BOTO = BotoConfig(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=3, read_timeout=10)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    service: AccessService
    queue: WorkQueue | None
    verifier: SignatureVerifier | None


def _client(name: Any) -> Any:
    return boto3.client(name, config=_BOTO)


@functools.cache
def runtime(requester: bool = True) -> Runtime:
    settings = Settings.from_env(requester=requester)
    logging.getLogger("jit_access").setLevel(settings.log_level)
    s3 = _client("s3")
    raw, version_id = load_config_object(s3, settings.config_bucket, settings.config_key)
    config = Config.parse(raw)
    config_version = version_id or "sha256:" + config_sha256(raw)
    log.info("config loaded: version %s, %d rules", config_version, len(config.rules))

    secrets = Secrets(ssm=_client("ssm"))
    slack = SlackGateway.from_token(
        secrets.get(settings.slack_bot_token_parameter), base_url=config.slack.api_url
    )
    service = AccessService(
        config=config,
        config_version=config_version,
        store=RequestStore(s3=s3, bucket=settings.audit_bucket),
        identity=IdentityCenter(
            sso_admin=_client("sso-admin"),
            identitystore=_client("identitystore"),
            instance_arn=settings.sso_instance_arn,
            identity_store_id=settings.identity_store_id,
            # Well inside the smallest function timeout the module allows (30 s): a still-running
            # assignment ends this attempt with a retryable error, and the queue's redelivery resumes it.
            poll_timeout=20.0,
        ),
        scheduler=RevokeScheduler(
            scheduler=_client("scheduler"),
            group_name=settings.schedule_group,
            target_arn=settings.revoker_arn,
            role_arn=settings.scheduler_role_arn,
        ),
        slack=slack,
        accounts=AccountDirectory(
            organization=Organization(organizations=_client("organizations")),
            configured_names=config.account_names,
            ou_ids=[a for rule in config.rules for a in rule.accounts if a.startswith("ou-")],
        ),
    )
    if not requester:
        return Runtime(settings, service, None, None)
    verifier = SignatureVerifier(secrets.get(settings.slack_signing_secret_parameter))
    return Runtime(settings, service, WorkQueue(sqs=_client("sqs"), queue_url=settings.queue_url), verifier)
