"""The exceptions of verifier: one base, three kinds kept apart.

A candidate program failing is never an exception: it is a `Verdict` value.
What raises is the service's own trouble:

* `InvalidRequest` - the input itself is unusable (not a list, no task, bad
  suite). Raised at the edge; inside a batch it becomes one sample's error.
* `SuiteError` - a test suite document is malformed; names the file and field.
* `SandboxError` - the sandbox infrastructure failed (a zygote died, fork hit
  EAGAIN). `transient` says whether a retry may help; it is never scored as a
  wrong answer.
* `SuiteSourceError` - the suites could not be fetched (S3 kept throttling,
  access denied); raised at cold start, after retries where they may help.
"""

from __future__ import annotations

__all__ = [
    "InvalidRequest",
    "SandboxError",
    "SuiteError",
    "SuiteSourceError",
    "VerifierError",
    "clip",
]

_CLIP_CHARS = 200


def clip(text: object, limit: int = _CLIP_CHARS) -> str:
    """Cut untrusted text to `limit` characters and mark the cut."""
    value = text if isinstance(text, str) else repr(text)
    if len(value) <= limit:
        return value
    return f"{value[:limit]}...[{len(value) - limit} more chars cut]"


class VerifierError(Exception):
    """Base class of every error verifier raises on purpose."""


class InvalidRequest(VerifierError, ValueError):
    """The request (event, sample or option) cannot be used as given."""


class SuiteError(InvalidRequest):
    """A test suite document is malformed.

    >>> str(SuiteError("tests[2].args", "must be a list", source="basics/add.json"))
    'basics/add.json: tests[2].args: must be a list'
    """

    def __init__(self, field: str, reason: str, *, source: str = "<inline>") -> None:
        self.field = field
        self.reason = reason
        self.source = source
        super().__init__(f"{source}: {field}: {reason}")


class SandboxError(VerifierError):
    """The sandbox itself failed; the program was not judged."""

    def __init__(self, message: str, *, transient: bool = True) -> None:
        self.transient = transient
        super().__init__(message)


class SuiteSourceError(VerifierError):
    """Suites could not be read from where they are stored (not a malformed suite).

    >>> str(SuiteSourceError("s3://b/p/", "AccessDenied (HTTP 403)"))
    's3://b/p/: AccessDenied (HTTP 403)'
    """

    def __init__(self, location: str, reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"{location}: {reason}")
