"""boto3 clients and the one retry rule for AWS calls (suites from S3, `verifier invoke`).

Only faults that a later try may cure are retried: throttling, a 5xx answer,
a dropped or timed-out connection. Everything else (access denied, no such
bucket or function, a request too large) fails at once, because waiting
will not change the answer. botocore's own retries are switched off on the
clients made here so that this rule, with jittered exponential backoff, is
the only one in force and its attempts are counted and logged in one place.

boto3 is imported when a client is made, not when this module is imported,
so the scoring CLI works without the `aws` extra installed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from .errors import clip

__all__ = ["RetryPolicy", "describe_error", "is_transient", "make_client"]

log = logging.getLogger("verifier")

THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
    "EC2ThrottledException", "PriorRequestNotComplete",
})
"""Error codes AWS services use for "slow down"; S3 sends SlowDown with HTTP 503."""


def _error_code(exc: BaseException) -> tuple[str, int]:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return "", 0
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return code, int(status) if isinstance(status, int) else 0


def is_transient(exc: BaseException) -> bool:
    """True for throttling, 5xx answers and connection faults; False for everything else."""
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError

    if isinstance(exc, BotoConnectionError | HTTPClientError):
        return True
    if isinstance(exc, ClientError):
        code, status = _error_code(exc)
        return code in THROTTLING_CODES or status >= 500 or status == 429
    return False


def describe_error(exc: BaseException) -> str:
    """A short, bounded description of an AWS error: code and HTTP status, or the message."""
    code, status = _error_code(exc)
    if code:
        return f"{code} (HTTP {status})" if status else code
    return clip(f"{type(exc).__name__}: {exc}", 300)


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How often and how patiently a transient AWS fault is retried.

    >>> RetryPolicy(attempts=3).attempts
    3
    """

    attempts: int = 5
    """Tries in all, the first included."""
    initial_wait_s: float = 0.2
    """Scale of the first backoff; each later one may be twice as long (full jitter)."""
    max_wait_s: float = 10.0
    """No single wait is longer than this."""

    def retrying(self, what: str,
                 transient: Callable[[BaseException], bool] = is_transient) -> Retrying:
        """A tenacity Retrying that re-raises the last error once the tries are spent."""
        def note(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning("%s: transient fault on try %d of %d, retrying: %s", what,
                        state.attempt_number, self.attempts,
                        describe_error(error) if error else "?")

        return Retrying(
            retry=retry_if_exception(transient),
            stop=stop_after_attempt(self.attempts),
            wait=wait_random_exponential(multiplier=self.initial_wait_s, max=self.max_wait_s),
            before_sleep=note,
            reraise=True,
        )


def make_client(service: str, *, endpoint_url: str | None = None, region: str | None = None,
                read_timeout_s: float = 60.0, pool: int = 10) -> Any:
    """A boto3 client with botocore's retries off (RetryPolicy decides) and a sized pool."""
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=10,
        read_timeout=read_timeout_s,
        max_pool_connections=pool,
        tcp_keepalive=True,
    )
    return boto3.client(service, endpoint_url=endpoint_url, region_name=region, config=config)
