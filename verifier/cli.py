"""The `verifier` command: score batches, check suites, invoke a deployed function.

Environment variables are read here (and in handler.py) only; see envvars.
Exit status: 0 when the batch was scored, whatever the rewards; 2 for
unusable input or options; 1 when `validate` finds a suite that fails itself
or `invoke` could not get some batches scored.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

import click

from . import envvars
from .errors import InvalidRequest, VerifierError
from .service import SampleResult, Scorer
from .suite_sources import load_suite_sources
from .suites import SuiteIndex
from .summary import summarize

__all__ = ["main"]

log = logging.getLogger("verifier")
_DEFAULT_SUITES = ("testcases",)


class UsageProblem(click.ClickException):
    """Unusable input or options: exit status 2."""

    exit_code = 2


def _load_index(paths: tuple[str, ...]) -> SuiteIndex:
    chosen = envvars.suite_paths(os.environ, paths, _DEFAULT_SUITES)
    try:
        return load_suite_sources(chosen)
    except VerifierError as exc:
        raise UsageProblem(str(exc)) from None


def _settings(**explicit: Any) -> Any:
    try:
        return envvars.settings_from_env(os.environ, **explicit)
    except InvalidRequest as exc:
        raise UsageProblem(str(exc)) from None


def read_samples(stream: TextIO, name: str) -> list[Any]:
    """A JSON list, or JSON Lines (a line that is not JSON becomes an invalid sample)."""
    text = stream.read()
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageProblem(f"{name}: not valid JSON: {exc}") from None
        if not isinstance(data, list):
            raise UsageProblem(f"{name}: expected a JSON list of samples")
        return data
    samples: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            samples.append(json.loads(line))
        except json.JSONDecodeError:
            log.warning("%s line %d is not valid JSON; it is scored as an invalid sample",
                        name, number)
            samples.append(f"<line {number}: not JSON>")
    if not samples:
        raise UsageProblem(f"{name}: no samples found")
    return samples


def _read_input(input_path: str) -> list[Any]:
    if input_path == "-":
        return read_samples(sys.stdin, "stdin")
    try:
        with open(input_path, encoding="utf-8") as handle:
            return read_samples(handle, input_path)
    except OSError as exc:
        raise UsageProblem(f"cannot read {input_path}: {exc.strerror}") from None


def _write_results(path: str, rows: list[dict[str, Any]]) -> None:
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if path == "-":
        sys.stdout.write(lines)
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(lines, encoding="utf-8")
    partial.replace(target)


@click.group()
@click.version_option(package_name="verifier")
@click.option("-v", "--verbose", count=True, help="More log output (repeat for debug).")
def main(verbose: int) -> None:
    """Sandboxed code-execution rewards for RL on code generation."""
    level = os.environ.get(envvars.LOG_LEVEL, "").upper() or (
        "WARNING" if verbose == 0 else "INFO" if verbose == 1 else "DEBUG")
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("-o", "--output", default="-", show_default=True, type=click.Path(allow_dash=True),
              help="Where to write one JSON result per line, in input order.")
@click.option("--suites", "suite_paths", multiple=True, metavar="PATH|s3://BUCKET/PREFIX/",
              help=f"Suite folder, file or S3 prefix (repeatable). "
                   f"Default: ${envvars.SUITES} or ./testcases.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help=f"Samples run at once. Default: ${envvars.WORKERS} or the CPUs available.")
def score(input_path: str, output: str, suite_paths: tuple[str, ...], workers: int | None) -> None:
    """Score the samples in INPUT (JSON Lines or a JSON list; - for stdin)."""
    samples = _read_input(input_path)
    index = _load_index(suite_paths)
    settings = _settings(workers=workers)
    started = time.monotonic()
    with Scorer(index, settings=settings) as scorer:
        results = scorer.evaluate(samples)
        elapsed = time.monotonic() - started
        rows = [dict(r.to_response(settings), detail=r.detail()) for r in results]
        _write_results(output, rows)
        click.echo(summarize(rows, elapsed_s=elapsed, workers=scorer.sandbox.workers), err=True)


def _validation_line(task_id: str, result: SampleResult, seconds: float) -> str:
    verdicts = [v.verdict.value for v in result.verdicts]
    passed = verdicts.count("pass")
    mark = "ok  " if result.reward == 1.0 and passed == len(verdicts) else "FAIL"
    line = f"{mark} {task_id:40s} {passed:3d}/{len(verdicts):<3d} {seconds * 1e3:8.1f} ms"
    if mark == "FAIL":
        problems = [f"{v.test_id}: {v.verdict.value}" + (f" ({v.detail})" if v.detail else "")
                    for v in result.verdicts if v.verdict.value != "pass"][:3]
        line += "\n       " + "; ".join(problems or [result.error or result.status])
    return line


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--workers", type=click.IntRange(min=1), default=None)
def validate(paths: tuple[str, ...], workers: int | None) -> None:
    """Run every suite's reference solution; fail if any suite does not pass itself."""
    index = _load_index(paths)
    settings = _settings(workers=workers)
    failed = missing = 0
    with Scorer(index, settings=settings) as scorer:
        for task_id, suite in sorted(index.items()):
            if suite.reference_solution is None:
                missing += 1
                click.echo(f"skip {task_id:40s} no reference_solution")
                continue
            started = time.monotonic()
            result = scorer.check(suite, suite.reference_solution)
            line = _validation_line(task_id, result, time.monotonic() - started)
            failed += line.startswith("FAIL")
            click.echo(line)
    click.echo(f"{len(index)} suites: {len(index) - failed - missing} pass, {failed} fail, "
               f"{missing} without a reference solution")
    if failed:
        raise SystemExit(1)


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--function-name", required=True,
              help="Name or ARN of the scoring function (\"function\" for the local emulator).")
@click.option("--endpoint-url", default=None,
              help="Lambda endpoint other than AWS's, e.g. the emulator: http://127.0.0.1:9000.")
@click.option("--region", default=None, help="AWS region. Default: the AWS configuration's.")
@click.option("--batch-size", type=click.IntRange(min=1), default=64, show_default=True,
              help="Samples per invocation (also capped by Lambda's 6 MB request limit).")
@click.option("--concurrency", type=click.IntRange(min=1), default=12, show_default=True,
              help="Invocations in flight at once; keep it within the function's concurrency.")
@click.option("-o", "--output", default="-", show_default=True, type=click.Path(allow_dash=True),
              help="Where to write one JSON result per line, in input order.")
def invoke(input_path: str, function_name: str, endpoint_url: str | None, region: str | None,
           batch_size: int, concurrency: int, output: str) -> None:
    """Score the samples in INPUT with a deployed function, in batches, keeping their order."""
    samples = _read_input(input_path)
    try:
        from .client import BatchClient, InvokeOptions

        settings = _settings()
        options = InvokeOptions(function_name=function_name, endpoint_url=endpoint_url,
                                region=region, batch_size=batch_size, concurrency=concurrency,
                                unscored_reward=settings.unscored_reward)
        client = BatchClient(options)
    except ImportError as exc:
        raise UsageProblem(f"verifier invoke needs boto3: pip install 'verifier[aws]' ({exc})"
                           ) from None
    except InvalidRequest as exc:
        raise UsageProblem(str(exc)) from None
    except Exception as exc:  # e.g. botocore's NoRegionError: a setup problem, said plainly
        raise UsageProblem(f"cannot create the Lambda client: {exc}") from None
    started = time.monotonic()
    with click.progressbar(length=len(samples), label="invoking", file=sys.stderr) as bar:
        result = client.run(samples, on_batch=bar.update)
    elapsed = time.monotonic() - started
    _write_results(output, result.rows)
    click.echo(summarize(result.rows, elapsed_s=elapsed), err=True)
    if result.failed_batches:
        click.echo(f"{result.failed_batches} of {result.batches} batches failed; their samples "
                   f"are written as unscored. First: {result.errors[0]}", err=True)
        raise SystemExit(1)
