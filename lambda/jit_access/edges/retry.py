"""The one home for retries of AWS calls: full-jitter exponential backoff on transient error codes.

Network errors, 5xx and throttling are first retried by botocore itself (standard retry mode, see
bootstrap.py); this layer adds the codes botocore does not retry, above all ConflictException ("another
operation is in progress"), and turns every failure into an `AwsError` whose message says in words what
happened. Access-denied and validation errors are never retried: trying again cannot help.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from jit_access.errors import EdgeError

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_CODES = (
    "ConflictException",
    "ThrottlingException",
    "TooManyRequestsException",
    "InternalServerException",
    "ServiceUnavailable",
)
# Codes that say "you may not" or "this request is wrong": never retried, whatever the caller passes.
NEVER_RETRIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "ValidationException",
        "ValidationError",
        "InvalidParameterValue",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
    }
)
# Transient by nature even when the caller chose not to retry them here (the work queue may retry later).
_TRANSIENT = frozenset(
    {
        *RETRYABLE_CODES,
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "SlowDown",
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


class AwsError(EdgeError):
    """A failed AWS call. `code`: the AWS error code ("" for a network error); `cause`: the botocore error."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        operation: str = "",
        retryable: bool = False,
        cause: Exception | None,
    ):
        super().__init__(message, retryable=retryable, cause=cause)
        self.code = code
        self.operation = operation


def error_code(error: BaseException | None) -> str:
    """The AWS error code of a ClientError or of an AwsError wrapping one; "" otherwise."""
    if isinstance(error, AwsError):
        return error.code
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


def http_status(error: BaseException | None) -> int:
    cause = error.cause if isinstance(error, EdgeError) else error
    if isinstance(cause, ClientError):
        return int(cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    return 0


def is_access_denied(code: str) -> bool:
    return code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")


def describe_client_error(error: ClientError, *, attempts: int = 1) -> str:
    """A ClientError in words: what AWS refused, and why, as far as the code tells."""
    code = error_code(error)
    aws_message = str(error.response.get("Error", {}).get("Message", "")).strip()
    operation = error.operation_name or "the AWS call"
    if is_access_denied(code):
        what = "access denied: the Lambda role is not allowed to do this"
    elif code in ("ValidationException", "ValidationError", "InvalidParameterValue"):
        what = "the request was rejected as invalid"
    elif code == "ConflictException":
        what = "a conflicting operation was still in progress"
    elif code in _TRANSIENT and "Internal" not in code and "Unavailable" not in code:
        what = "AWS is throttling requests"
    elif code in _TRANSIENT:
        what = "the AWS service had an internal error or was unavailable"
    elif "NotFound" in code or code.startswith("NoSuch"):
        what = "the resource does not exist"
    else:
        what = f"AWS answered {code or 'with an error'}"
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    detail = f" ({code}: {aws_message})" if aws_message else f" ({code})" if code else ""
    return f"{operation} failed{tries}: {what}{detail}"


def wrap_client_error(error: ClientError, *, attempts: int = 1, message: str | None = None) -> AwsError:
    code = error_code(error)
    status = http_status(error)
    retryable = code not in NEVER_RETRIED and (code in _TRANSIENT or status == 429 or status >= 500)
    return AwsError(
        message or describe_client_error(error, attempts=attempts),
        code=code,
        operation=error.operation_name or "",
        retryable=retryable,
        cause=error,
    )


def full_jitter_delay(attempt: int, *, base_delay: float, max_delay: float) -> float:
    """Seconds before retry `attempt` (0-based): uniform in [0, min(max_delay, base_delay * 2**attempt)]."""
    return random.uniform(0.0, min(max_delay, base_delay * (2**attempt)))


def call_with_retry(
    fn: Callable[..., T],
    *args: Any,
    retryable_codes: Iterable[str] = RETRYABLE_CODES,
    attempts: int = 6,
    base_delay: float = 0.2,
    max_delay: float = 5.0,
    sleep: Callable[[float], Any] = time.sleep,
    **kwargs: Any,
) -> T:
    """Call `fn(*args, **kwargs)`; retry the listed error codes with full-jitter backoff.

    Raises AwsError (an EdgeError) wrapping the last ClientError; `retryable` on it says whether trying
    again later (e.g. by redelivering the queue message) may help. Network errors that botocore already
    retried are wrapped as retryable without further attempts here.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    codes = frozenset(retryable_codes) - NEVER_RETRIED
    for attempt in range(attempts):
        try:
            return fn(*args, **kwargs)
        except ClientError as error:
            code = error_code(error)
            if code not in codes or attempt == attempts - 1:
                raise wrap_client_error(error, attempts=attempt + 1) from error
            delay = full_jitter_delay(attempt, base_delay=base_delay, max_delay=max_delay)
            log.info(
                "%s: %s, retry %d of %d in %.2fs",
                error.operation_name,
                code,
                attempt + 1,
                attempts - 1,
                delay,
            )
            sleep(delay)
        except BotoCoreError as error:
            name = getattr(fn, "__name__", "the AWS call")
            raise AwsError(
                f"{name} failed: could not reach AWS ({error})", retryable=True, operation=name, cause=error
            ) from error
    raise AssertionError("unreachable")  # pragma: no cover
