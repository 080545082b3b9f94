"""Where suites come from: local folders and files, or S3 prefixes.

`suites.py` parses and validates suite documents and stays pure; this module
fetches them. A location is a path or an `s3://bucket/prefix/` URL. Every
`*.json` object under an S3 prefix is one suite document, validated exactly
like a local file and named by its URL in errors. The Lambda handler loads
its suites once per container, at cold start.

S3 faults that a later try may cure (throttling, 5xx, dropped connections)
are retried with jittered exponential backoff; then, or at once for faults
that waiting cannot cure (access denied, no such bucket), loading stops with
one `SuiteSourceError` naming the location and the cause.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .aws import RetryPolicy, describe_error, make_client
from .errors import SuiteError, SuiteSourceError
from .suites import SuiteIndex, TestSuite, load_suite, load_suites

__all__ = ["S3Options", "is_s3_url", "load_s3_suites", "load_suite_sources", "split_s3_url"]

_SCHEME = "s3://"


@dataclass(frozen=True, slots=True, kw_only=True)
class S3Options:
    """How suites are read from S3.

    >>> S3Options().threads
    16
    """

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    threads: int = 16
    """Objects fetched at once; thousands of small suites load in seconds, not minutes."""
    max_object_bytes: int = 16 << 20
    """A larger object is refused: a suite that big is a mistake, not a suite."""


def is_s3_url(location: str | Path) -> bool:
    """True for `s3://...` locations."""
    return isinstance(location, str) and location.startswith(_SCHEME)


def split_s3_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix) of an `s3://bucket/prefix/` URL."""
    bucket, _, prefix = url[len(_SCHEME):].partition("/")
    if not bucket:
        raise SuiteSourceError(url, "an S3 location needs a bucket: s3://bucket/prefix/")
    return bucket, prefix


def load_suite_sources(locations: Iterable[str | Path], *, s3_client: Any = None,
                       s3_options: S3Options | None = None) -> SuiteIndex:
    """One index of the suites at every location, local or S3; a task_id defined twice fails."""
    index = SuiteIndex()
    local: list[str | Path] = []
    for location in locations:
        if is_s3_url(location):
            for suite in load_s3_suites(str(location), client=s3_client, options=s3_options):
                index.add(suite)
        else:
            local.append(location)
    for suite in load_suites(local).values():
        index.add(suite)
    return index


def load_s3_suites(url: str, *, client: Any = None,
                   options: S3Options | None = None) -> list[TestSuite]:
    """Every `*.json` suite under an S3 prefix, validated, in key order."""
    options = options or S3Options()
    bucket, prefix = split_s3_url(url)
    s3 = client or make_client("s3", pool=options.threads)
    keys = _list_keys(s3, bucket, prefix, url, options)
    if not keys:
        raise SuiteSourceError(url, "no *.json suite files under this prefix")
    with ThreadPoolExecutor(max_workers=min(options.threads, len(keys)),
                            thread_name_prefix="verifier-s3") as pool:
        return list(pool.map(lambda key: _load_object(s3, bucket, key, options), keys))


def _list_keys(s3: Any, bucket: str, prefix: str, url: str, options: S3Options) -> list[str]:
    keys: list[str] = []
    token: str | None = None
    while True:
        request: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
        if token:
            request["ContinuationToken"] = token
        page = _call(functools.partial(s3.list_objects_v2, **request), url, "list", options)
        keys.extend(item["Key"] for item in page.get("Contents", [])
                    if item["Key"].endswith(".json"))
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return sorted(keys)


def _load_object(s3: Any, bucket: str, key: str, options: S3Options) -> TestSuite:
    source = f"{_SCHEME}{bucket}/{key}"

    def fetch() -> bytes:
        # Read inside the retried call: a connection dropped mid-body is transient too.
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        data: bytes = body.read(options.max_object_bytes + 1)
        body.close()
        return data

    raw = _call(fetch, source, "read", options)
    if len(raw) > options.max_object_bytes:
        raise SuiteSourceError(source, f"larger than {options.max_object_bytes} bytes")
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SuiteError("(file)", f"not UTF-8: {exc}", source=source) from None
    except json.JSONDecodeError as exc:
        raise SuiteError("(document)", f"not valid JSON: {exc}", source=source) from None
    return load_suite(document, source=source)


def _call(operation: Any, location: str, verb: str, options: S3Options) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    retrying = options.retry.retrying(f"S3 {verb} {location}")
    try:
        return retrying(operation)
    except (ClientError, BotoCoreError) as exc:
        tries = retrying.statistics.get("attempt_number", 1)
        reason = f"cannot {verb}: {describe_error(exc)}"
        if tries > 1:
            reason += f" after {tries} tries"
        raise SuiteSourceError(location, reason + _hint(exc, verb)) from exc


def _hint(exc: BaseException, verb: str) -> str:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    if code in {"AccessDenied", "403", "Forbidden"}:
        needed = "s3:ListBucket on the bucket" if verb == "list" else "s3:GetObject on the keys"
        return f"; the execution role needs {needed}"
    if code == "NoSuchBucket":
        return "; check the bucket name and region"
    return ""
