"""AWS Organizations: account names for messages, and the accounts under an OU for OU-scoped rules."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from jit_access.edges.retry import AwsError, call_with_retry, is_access_denied

log = logging.getLogger(__name__)

_RETRYABLE = (
    "TooManyRequestsException",
    "ThrottlingException",
    "ServiceException",
    "ConcurrentModificationException",
)


def _active(account: dict[str, Any]) -> bool:
    # `State` replaces the deprecated `Status`; read whichever the API version gives.
    return (account.get("State") or account.get("Status")) == "ACTIVE"


class Organization:
    def __init__(self, *, organizations: Any):
        self._org = organizations

    def _pages(self, fn: Any, key: str, **params: Any) -> Iterator[dict[str, Any]]:
        token = None
        while True:
            page = call_with_retry(
                fn, **params, **({"NextToken": token} if token else {}), retryable_codes=_RETRYABLE
            )
            yield from page.get(key, [])
            token = page.get("NextToken")
            if not token:
                return

    def account_names(self) -> dict[str, str]:
        """Account id → name of every active account; {} (and a warning) if Organizations is unreadable."""
        try:
            return {
                a["Id"]: a["Name"] for a in self._pages(self._org.list_accounts, "Accounts") if _active(a)
            }
        except AwsError as error:
            if is_access_denied(error.code) or error.code == "AWSOrganizationsNotInUseException":
                log.warning("account names unavailable, ids are shown instead: %s", error)
                return {}
            raise

    def accounts_in_ou(self, ou_id: str) -> set[str]:
        """Ids of the active accounts in the OU and in every OU below it."""
        accounts: set[str] = set()
        pending = [ou_id]
        seen: set[str] = set()
        while pending:
            parent = pending.pop()
            if parent in seen:
                continue
            seen.add(parent)
            accounts.update(
                a["Id"]
                for a in self._pages(self._org.list_accounts_for_parent, "Accounts", ParentId=parent)
                if _active(a)
            )
            pending.extend(
                child["Id"]
                for child in self._pages(
                    self._org.list_children, "Children", ParentId=parent, ChildType="ORGANIZATIONAL_UNIT"
                )
            )
        return accounts
