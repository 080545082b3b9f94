"""Score a file of samples with a deployed function (or the local emulator), in batches.

`verifier invoke` is the client side of the Lambda: it cuts the samples into
batches of the size a trainer sends (64 by default, and never a request over
Lambda's 6 MB synchronous payload limit), invokes the function at a bounded
concurrency, and puts the answers back in input order.

Throttling (TooManyRequestsException), 5xx answers, dropped connections and
crashed invocations (FunctionError other than a refused request) are retried
with jittered exponential backoff. A batch that still fails is not dropped
and not scored as wrong: its samples come back unscored, with a
`grader_error` metric and the reason, exactly like samples the service
itself could not judge, and the run reports how many batches failed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from . import contract
from .aws import RetryPolicy, describe_error, is_transient, make_client
from .errors import InvalidRequest, VerifierError, clip

__all__ = ["BatchClient", "FunctionFailed", "InvokeOptions", "InvokeResult", "plan_batches"]

log = logging.getLogger("verifier")

MAX_PAYLOAD_BYTES = 6_000_000
"""Lambda's limit for a synchronous request (6 MB), less room for headers."""
_PERMANENT_FUNCTION_ERRORS = frozenset({"InvalidRequest", "SuiteError"})
"""errorType of a function error that repeats whatever we do: the request itself is refused."""


class FunctionFailed(VerifierError):
    """An invocation came back with a function error or an unusable answer."""

    def __init__(self, message: str, *, transient: bool) -> None:
        self.transient = transient
        super().__init__(message)


def _retry_invoke(exc: BaseException) -> bool:
    if isinstance(exc, FunctionFailed):
        return exc.transient
    return is_transient(exc)


@dataclass(frozen=True, slots=True, kw_only=True)
class InvokeOptions:
    """Where and how `verifier invoke` sends batches.

    >>> InvokeOptions(function_name="SageMaker-verifier").batch_size
    64
    """

    function_name: str
    endpoint_url: str | None = None
    """Another endpoint than AWS's, e.g. the emulator at http://127.0.0.1:9000."""
    region: str | None = None
    batch_size: int = 64
    concurrency: int = 12
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(attempts=6, max_wait_s=20.0))
    read_timeout_s: float = 960.0
    """Longer than Lambda's 15-minute maximum, so a slow batch is never cut by the client."""
    max_payload_bytes: int = MAX_PAYLOAD_BYTES
    unscored_reward: float = 0.0
    """Reward written for the samples of a batch that could not be invoked."""

    def __post_init__(self) -> None:
        if not self.function_name:
            raise InvalidRequest("a function name is needed")
        if self.batch_size < 1 or self.concurrency < 1:
            raise InvalidRequest("batch size and concurrency must be at least 1")


def plan_batches(samples: Sequence[Any], *, batch_size: int,
                 max_payload_bytes: int = MAX_PAYLOAD_BYTES) -> list[tuple[int, int]]:
    """[start, end) ranges of at most `batch_size` samples and `max_payload_bytes` of JSON."""
    ranges: list[tuple[int, int]] = []
    start, size = 0, 2  # the list's brackets
    for index, sample in enumerate(samples):
        cost = len(json.dumps(sample, ensure_ascii=False).encode("utf-8")) + 1
        full = index - start >= batch_size or (index > start and size + cost > max_payload_bytes)
        if full:
            ranges.append((start, index))
            start, size = index, 2
        size += cost
    if start < len(samples):
        ranges.append((start, len(samples)))
    return ranges


@dataclass(frozen=True, slots=True)
class InvokeResult:
    """Rows in input order (Nova entries; failed batches' samples marked unscored)."""

    rows: list[dict[str, Any]]
    batches: int
    failed_batches: int
    errors: list[str]


class BatchClient:
    """Invokes a scoring function batch by batch and keeps the input order.

    >>> client = BatchClient(InvokeOptions(function_name="SageMaker-verifier"))  # doctest: +SKIP
    >>> result = client.run(samples, on_batch=lambda n: print(n, "done"))
    """

    def __init__(self, options: InvokeOptions, *, lambda_client: Any = None) -> None:
        self.options = options
        self._lambda = lambda_client or make_client(
            "lambda", endpoint_url=options.endpoint_url, region=options.region,
            read_timeout_s=options.read_timeout_s, pool=options.concurrency)

    def invoke(self, batch: Sequence[Any]) -> list[dict[str, Any]]:
        """Score one batch, retrying transient faults; raises once the tries are spent."""
        payload = json.dumps(list(batch), ensure_ascii=False).encode("utf-8")
        retrying = self.options.retry.retrying(
            f"invoke {self.options.function_name}", transient=_retry_invoke)
        entries: list[dict[str, Any]] = retrying(self._invoke_once, payload, len(batch))
        return entries

    def _invoke_once(self, payload: bytes, expected: int) -> list[dict[str, Any]]:
        answer = self._lambda.invoke(FunctionName=self.options.function_name,
                                     InvocationType="RequestResponse", Payload=payload)
        body = answer["Payload"].read()
        if answer.get("FunctionError"):
            kind, message = _function_error(body)
            raise FunctionFailed(f"function error {kind}: {message}",
                                 transient=kind not in _PERMANENT_FUNCTION_ERRORS)
        try:
            entries = json.loads(body)
        except json.JSONDecodeError:
            raise FunctionFailed(f"answer is not JSON: {clip(body, 200)}",
                                 transient=False) from None
        if not isinstance(entries, list) or len(entries) != expected or not all(
                isinstance(e, dict) and "aggregate_reward_score" in e for e in entries):
            raise FunctionFailed(f"answer is not {expected} results: {clip(body, 200)}",
                                 transient=False)
        return entries

    def run(self, samples: Sequence[Any], *,
            on_batch: Callable[[int], None] | None = None) -> InvokeResult:
        """Score every sample; `on_batch(n)` is called in this thread as each batch ends."""
        ranges = plan_batches(samples, batch_size=self.options.batch_size,
                              max_payload_bytes=self.options.max_payload_bytes)
        rows: list[dict[str, Any] | None] = [None] * len(samples)
        errors: list[str] = []
        with ThreadPoolExecutor(max_workers=self.options.concurrency,
                                thread_name_prefix="verifier-invoke") as pool:
            pending: dict[Future[list[dict[str, Any]]], tuple[int, int]] = {
                pool.submit(self.invoke, samples[start:end]): (start, end)
                for start, end in ranges}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    start, end = pending.pop(future)
                    try:
                        rows[start:end] = future.result()
                    except Exception as exc:  # one batch's failure must not lose the others
                        reason = _describe(exc)
                        errors.append(f"samples {start}-{end - 1}: {reason}")
                        log.error("batch of samples %d-%d failed: %s", start, end - 1, reason)
                        rows[start:end] = [self._unscored(s, reason) for s in samples[start:end]]
                    if on_batch is not None:
                        on_batch(end - start)
        complete = [row for row in rows if row is not None]
        return InvokeResult(complete, len(ranges), len(errors), errors)

    def _unscored(self, sample: Any, reason: str) -> dict[str, Any]:
        sample_id = sample.get("id") if isinstance(sample, dict) else None
        row = contract.result(sample_id, self.options.unscored_reward, {"grader_error": 1.0})
        row["detail"] = {"status": "unscored", "error": reason}
        return row


def _function_error(body: bytes) -> tuple[str, str]:
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return "Unknown", clip(body, 200)
    if not isinstance(data, dict):
        return "Unknown", clip(data, 200)
    return str(data.get("errorType", "Unknown")), clip(data.get("errorMessage", ""), 200)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, FunctionFailed):
        return str(exc)
    return describe_error(exc)
