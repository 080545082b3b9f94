"""verifier: a sandboxed code-execution reward service for RL on code generation.

>>> from verifier import Scorer, load_suites
>>> with Scorer(load_suites(["testcases"])) as scorer:  # doctest: +SKIP
...     response = scorer.score(batch)
"""

from .compare import CompareSpec
from .errors import InvalidRequest, SandboxError, SuiteError, SuiteSourceError, VerifierError
from .extract import Extraction, extract_code
from .judge import TestVerdict, Verdict
from .reward import Outcome, shape_from_spec
from .sandbox.backends import open_sandbox
from .sandbox.base import Job, RunReport, Sandbox
from .sandbox.docker import DockerOptions, DockerSandbox
from .sandbox.process import ProcessOptions, ProcessSandbox
from .service import SampleResult, Scorer, score_batch
from .settings import Limits, Settings
from .suite_sources import load_suite_sources
from .suites import SuiteIndex, TestSuite, load_suite, load_suites

__all__ = [
    "CompareSpec",
    "DockerOptions",
    "DockerSandbox",
    "Extraction",
    "InvalidRequest",
    "Job",
    "Limits",
    "Outcome",
    "ProcessOptions",
    "ProcessSandbox",
    "RunReport",
    "SampleResult",
    "Sandbox",
    "SandboxError",
    "Scorer",
    "Settings",
    "SuiteError",
    "SuiteIndex",
    "SuiteSourceError",
    "TestSuite",
    "TestVerdict",
    "Verdict",
    "VerifierError",
    "extract_code",
    "load_suite",
    "load_suite_sources",
    "load_suites",
    "open_sandbox",
    "score_batch",
    "shape_from_spec",
]
