"""S3: the request events (which are the audit trail), the Slack message of each request, the config object.

Layout (docs/architecture.md):
    audit/dt=YYYY-MM-DD/request_id=<id>/<slot>.json   create-only, one event each
    state/messages/<id>.json                          where the request's Slack message is (overwritable)
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from typing import Any

from jit_access.edges.ids import check_request_id, check_slot, request_date
from jit_access.edges.retry import RETRYABLE_CODES, AwsError, call_with_retry, http_status
from jit_access.errors import AlreadyRecorded, ConfigError, EdgeError

log = logging.getLogger(__name__)

_S3_TRANSIENT = (*RETRYABLE_CODES, "SlowDown", "InternalError", "RequestTimeout")
# 409 on a conditional write means another write of the same key was in flight: ask again, and the answer
# becomes a clean 412 (the other write won) or a success (it failed). Never guessed to be either.
_PUT_RETRYABLE = (*_S3_TRANSIENT, "ConditionalRequestConflict", "OperationAborted")
_NOT_FOUND = ("NoSuchKey", "404", "NotFound")
_PARTITION = re.compile(r"dt=([0-9]{4}-[0-9]{2}-[0-9]{2})/")
_REQUEST_DIR = re.compile(r"request_id=([^/]+)/")
MESSAGES_PREFIX = "state/messages/"


class RequestStore:
    """Create-only request events under Hive-style date partitions, read back in lifecycle order."""

    def __init__(self, *, s3: Any, bucket: str, prefix: str = "audit/"):
        if prefix and not prefix.endswith("/"):
            raise ValueError(f"prefix must end with '/': {prefix!r}")
        self._s3 = s3
        self._bucket = bucket
        self._prefix = prefix

    @staticmethod
    def request_prefix(request_id: str) -> str:
        """`audit/dt=YYYY-MM-DD/request_id=<id>/`; ValueError for anything that is not a request id."""
        return f"audit/dt={request_date(request_id).isoformat()}/request_id={request_id}/"

    def _request_prefix(self, request_id: str) -> str:
        return self._prefix + RequestStore.request_prefix(request_id)[len("audit/") :]

    def event_key(self, request_id: str, slot: str) -> str:
        return f"{self._request_prefix(request_id)}{check_slot(slot)}.json"

    # --- events ------------------------------------------------------------------------------------------

    def put_event(self, request_id: str, slot: str, body: bytes) -> None:
        """Write the event create-only. A slot that already holds an event raises AlreadyRecorded."""
        key = self.event_key(request_id, slot)
        try:
            call_with_retry(
                self._s3.put_object,
                Bucket=self._bucket,
                Key=key,
                Body=body,
                IfNoneMatch="*",
                ContentType="application/json",
                # An integrity checksum is what S3 Object Lock requires of every put; explicit, so it does
                # not depend on the botocore version in the Lambda runtime.
                ChecksumAlgorithm="SHA256",
                retryable_codes=_PUT_RETRYABLE,
                attempts=5,
            )
        except AwsError as error:
            if error.code == "PreconditionFailed" or http_status(error) == 412:
                raise AlreadyRecorded(f"{key} already holds an event") from error
            raise

    def read_events(self, request_id: str) -> list[tuple[str, bytes]]:
        """Every event of the request as (slot, bytes), in key order, which is lifecycle order."""
        prefix = self._request_prefix(request_id)
        events = []
        for key in sorted(self._list_keys(prefix)):
            name = key[len(prefix) :]
            if "/" in name or not name.endswith(".json"):
                continue
            body = self._get(key)
            if body is not None:
                events.append((name[: -len(".json")], body))
        return events

    def read_event(self, request_id: str, slot: str) -> bytes | None:
        return self._get(self.event_key(request_id, slot))

    def list_request_ids(self, *, since_date: date | None = None) -> list[str]:
        """Ids of the requests created on or after `since_date` (all when None), oldest first."""
        start_after = f"{self._prefix}dt={since_date.isoformat()}" if since_date else None
        ids: set[str] = set()
        for partition in self._list_dirs(self._prefix, start_after=start_after):
            match = _PARTITION.fullmatch(partition[len(self._prefix) :])
            if not match or (since_date and date.fromisoformat(match[1]) < since_date):
                continue
            for request_dir in self._list_dirs(partition):
                found = _REQUEST_DIR.fullmatch(request_dir[len(partition) :])
                if not found:
                    continue
                try:
                    ids.add(check_request_id(found[1]))
                except ValueError:
                    log.warning("ignored a request folder with a malformed id: %r", request_dir)
        return sorted(ids)

    # --- the Slack message of a request ------------------------------------------------------------------

    def put_message_ref(self, request_id: str, *, channel: str, ts: str) -> None:
        key = f"{MESSAGES_PREFIX}{check_request_id(request_id)}.json"
        body = json.dumps({"channel": channel, "ts": ts}, sort_keys=True).encode()
        call_with_retry(
            self._s3.put_object,
            Bucket=self._bucket,
            Key=key,
            Body=body,
            ContentType="application/json",
            ChecksumAlgorithm="SHA256",
            retryable_codes=_S3_TRANSIENT,
        )

    def get_message_ref(self, request_id: str) -> tuple[str, str] | None:
        key = f"{MESSAGES_PREFIX}{check_request_id(request_id)}.json"
        body = self._get(key)
        if body is None:
            return None
        try:
            ref = json.loads(body)
            return str(ref["channel"]), str(ref["ts"])
        except (ValueError, KeyError, TypeError) as error:
            raise EdgeError(f"s3://{self._bucket}/{key} is not a message reference", cause=error) from error

    # --- S3 plumbing -------------------------------------------------------------------------------------

    def _get(self, key: str) -> bytes | None:
        try:
            response = call_with_retry(
                self._s3.get_object, Bucket=self._bucket, Key=key, retryable_codes=_S3_TRANSIENT
            )
        except AwsError as error:
            if error.code in _NOT_FOUND:
                return None
            raise
        return response["Body"].read()

    def _list_pages(self, **params: Any) -> Any:
        token = None
        while True:
            page = call_with_retry(
                self._s3.list_objects_v2,
                Bucket=self._bucket,
                **params,
                **({"ContinuationToken": token} if token else {}),
                retryable_codes=_S3_TRANSIENT,
            )
            yield page
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    def _list_keys(self, prefix: str) -> list[str]:
        return [obj["Key"] for page in self._list_pages(Prefix=prefix) for obj in page.get("Contents", [])]

    def _list_dirs(self, prefix: str, *, start_after: str | None = None) -> list[str]:
        params: dict[str, Any] = {"Prefix": prefix, "Delimiter": "/"}
        if start_after:
            params["StartAfter"] = start_after
        return [cp["Prefix"] for page in self._list_pages(**params) for cp in page.get("CommonPrefixes", [])]


def load_config_object(s3: Any, bucket: str, key: str) -> tuple[bytes, str | None]:
    """The rendered config object and its version id (None on an unversioned bucket).

    A missing object or bucket, or no permission to read it, is a ConfigError: the deployment is wrong and
    the Lambda must fail loudly rather than run without rules.
    """
    try:
        response = call_with_retry(s3.get_object, Bucket=bucket, Key=key, retryable_codes=_S3_TRANSIENT)
    except AwsError as error:
        if error.code in (*_NOT_FOUND, "NoSuchBucket", "AccessDenied", "403"):
            raise ConfigError(f"cannot read the config object s3://{bucket}/{key}: {error}") from error
        raise
    version = response.get("VersionId")
    return response["Body"].read(), (version if version and version != "null" else None)
