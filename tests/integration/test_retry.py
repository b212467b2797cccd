"""call_with_retry: which AWS errors are tried again, how long it waits, and what it says when it gives up."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from jit_access.edges.retry import AwsError, call_with_retry
from jit_access.errors import EdgeError


def client_error(code: str, status: int = 400, message: str = "details from AWS", op: str = "CreateThing"):
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, op
    )


class Flaky:
    """Fails with the given errors in turn, then answers."""

    def __init__(self, *errors: Exception, result: object = "done"):
        self.errors = list(errors)
        self.result = result
        self.calls: list[tuple[tuple, dict]] = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        if self.errors:
            raise self.errors.pop(0)
        return self.result


def test_throttling_and_conflict_are_retried_until_success():
    fn = Flaky(client_error("ThrottlingException"), client_error("ConflictException", 409))
    waits: list[float] = []

    assert call_with_retry(fn, "a", key="v", sleep=waits.append) == "done"
    assert fn.calls == [(("a",), {"key": "v"})] * 3
    assert len(waits) == 2


def test_backoff_is_full_jitter_within_the_exponential_cap():
    fn = Flaky(*[client_error("ThrottlingException")] * 5)
    waits: list[float] = []

    call_with_retry(fn, attempts=6, base_delay=0.5, max_delay=3.0, sleep=waits.append)

    caps = [0.5, 1.0, 2.0, 3.0, 3.0]
    assert len(waits) == 5
    assert all(0.0 <= wait <= cap for wait, cap in zip(waits, caps, strict=True))


@pytest.mark.parametrize("code", ["AccessDeniedException", "AccessDenied", "ValidationException"])
def test_refusals_are_not_retried_even_when_listed(code):
    fn = Flaky(client_error(code))
    waits: list[float] = []

    with pytest.raises(EdgeError) as raised:
        call_with_retry(fn, retryable_codes=(code, "ThrottlingException"), sleep=waits.append)

    assert len(fn.calls) == 1
    assert waits == []
    assert raised.value.retryable is False
    assert isinstance(raised.value.cause, ClientError)


def test_access_denied_is_explained_in_words():
    fn = Flaky(
        client_error("AccessDeniedException", 403, "User: arn:aws:sts::1:assumed-role/x is not authorized")
    )

    with pytest.raises(AwsError) as raised:
        call_with_retry(fn, sleep=lambda _: None)

    message = str(raised.value)
    assert "CreateThing failed" in message
    assert "access denied" in message
    assert "is not authorized" in message
    assert raised.value.code == "AccessDeniedException"


def test_giving_up_on_throttling_says_so_and_is_retryable_later():
    fn = Flaky(*[client_error("ThrottlingException")] * 10)

    with pytest.raises(AwsError) as raised:
        call_with_retry(fn, attempts=3, sleep=lambda _: None)

    assert len(fn.calls) == 3
    assert raised.value.retryable is True
    assert "after 3 attempts" in str(raised.value)
    assert "throttling" in str(raised.value)


def test_an_unlisted_error_is_raised_at_once():
    fn = Flaky(client_error("ResourceNotFoundException", 404))

    with pytest.raises(AwsError) as raised:
        call_with_retry(fn, sleep=lambda _: pytest.fail("must not wait"))

    assert len(fn.calls) == 1
    assert raised.value.code == "ResourceNotFoundException"
    assert raised.value.retryable is False


def test_server_errors_not_retried_here_are_still_marked_retryable():
    fn = Flaky(client_error("InternalFailure", 500))

    with pytest.raises(AwsError) as raised:
        call_with_retry(fn, retryable_codes=(), sleep=lambda _: None)

    assert len(fn.calls) == 1
    assert raised.value.retryable is True


def test_network_failure_is_a_retryable_edge_error():
    fn = Flaky(EndpointConnectionError(endpoint_url="https://sso.us-east-1.amazonaws.com"))

    with pytest.raises(EdgeError) as raised:
        call_with_retry(fn, sleep=lambda _: None)

    assert raised.value.retryable is True
    assert "could not reach AWS" in str(raised.value)
