"""Which accounts exist, what they are called and which OU holds them: the config's names over what
AWS Organizations says, read again every few minutes so a new account or a moved one is seen without a
deploy, and not on every Slack request (the shortcut must be answered within 3 seconds).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jit_access.edges.retry import AwsError, is_access_denied

log = logging.getLogger(__name__)

REFRESH_SECONDS = 300.0


class AccountDirectory:
    def __init__(
        self,
        *,
        organization: Any | None,  # edges.organizations.Organization; None: names from the config only
        configured_names: Mapping[str, str],
        ou_ids: Iterable[str],
        clock: Callable[[], float] = time.monotonic,
    ):
        self._organization = organization
        self._configured = dict(configured_names)
        self._ou_ids = sorted(set(ou_ids))
        self._clock = clock
        self._names: tuple[float, dict[str, str]] | None = None
        self._ous: tuple[float, dict[str, frozenset[str]]] | None = None

    def _fresh(self, cached: tuple[float, Any] | None) -> bool:
        return cached is not None and self._clock() - cached[0] < REFRESH_SECONDS

    def names(self) -> dict[str, str]:
        """Account id → name: every active account of the organisation, the config's names winning."""
        if not self._fresh(self._names):
            found = self._organization.account_names() if self._organization else {}
            self._names = (self._clock(), {**found, **self._configured})
        assert self._names is not None
        return dict(self._names[1])

    def ou_accounts(self) -> dict[str, frozenset[str]]:
        """OU id → the accounts in it and below it, for the OUs the rules name."""
        if not self._ou_ids:
            return {}
        if not self._fresh(self._ous):
            self._ous = (self._clock(), {ou: self._accounts_in(ou) for ou in self._ou_ids})
        assert self._ous is not None
        return dict(self._ous[1])

    def _accounts_in(self, ou_id: str) -> frozenset[str]:
        if self._organization is None:
            log.error("rules name %s but Organizations is not available: the OU matches no account", ou_id)
            return frozenset()
        try:
            return frozenset(self._organization.accounts_in_ou(ou_id))
        except AwsError as error:
            if not (is_access_denied(error.code) or error.code == "ParentNotFoundException"):
                raise
            # A rule that cannot be resolved grants nothing; the log says why.
            log.error("the accounts of %s cannot be read, so it matches no account: %s", ou_id, error)
            return frozenset()
