"""The `verifier` command: score batches, check suites, invoke a deployed function.

Environment variables are read here (and in handler.py) only; see envvars.
Exit status: 0 when the batch was scored, whatever the rewards; 2 for
unusable input or options; 1 when `validate` finds a suite that fails itself
or is flaky (or, with --strict, has warnings), or when `invoke` could not get
some batches scored.
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

from . import envvars, validation
from .errors import InvalidRequest, SandboxError, VerifierError
from .importers import FORMATS, import_file
from .isolation import describe, missing, one_line
from .sandbox.backends import BACKENDS, open_sandbox
from .sandbox.docker import DockerSandbox
from .sandbox.process import ProcessSandbox
from .service import Scorer
from .settings import Settings
from .suite_sources import load_suite_sources
from .suites import SuiteIndex
from .summary import summarize
from .validation import ValidationOptions

__all__ = ["main"]

log = logging.getLogger("verifier")
_DEFAULT_SUITES = ("testcases",)


class UsageProblem(click.ClickException):
    """Unusable input or options: exit status 2."""

    exit_code = 2


def _suite_locations(paths: tuple[str, ...]) -> tuple[str, ...]:
    return envvars.suite_paths(os.environ, paths, _DEFAULT_SUITES)


def _load_index(locations: tuple[str, ...]) -> SuiteIndex:
    try:
        return load_suite_sources(locations)
    except VerifierError as exc:
        raise UsageProblem(str(exc)) from None


def _settings(**explicit: Any) -> Settings:
    try:
        return envvars.settings_from_env(os.environ, **explicit)
    except InvalidRequest as exc:
        raise UsageProblem(str(exc)) from None


def _open(backend: str | None, *, workers: int | None, require: str | None,
          hide: tuple[str, ...]) -> ProcessSandbox | DockerSandbox:
    try:
        name = envvars.backend(os.environ, backend)
        process = envvars.process_options(os.environ, require=require, hide=hide)
        docker = envvars.docker_options(os.environ, require=require)
        return open_sandbox(name, workers=workers, process=process, docker=docker)
    except (InvalidRequest, SandboxError) as exc:
        raise UsageProblem(str(exc)) from None


def _sandbox(settings: Settings, require: str | None, hide: tuple[str, ...],
             backend: str | None) -> ProcessSandbox | DockerSandbox:
    """The sandbox, started and probed now, so strict mode fails before any work."""
    sandbox = _open(backend, workers=settings.workers, require=require, hide=hide)
    try:
        sandbox.warm()
    except SandboxError as exc:
        sandbox.close()
        raise UsageProblem(str(exc)) from None
    return sandbox


_REQUIRE_HELP = (f"Strict mode: comma-separated isolation layers that must hold (see `verifier "
                 f"doctor`). Default: ${envvars.REQUIRE_LAYERS}.")
_RUNTIME_HELP = f"Runtime for suites that name none. Default: ${envvars.RUNTIME} or python."
_BACKEND_HELP = (f"Where programs run: process (forked children) or docker (warm containers; "
                 f"falls back to process when no engine answers). Default: ${envvars.BACKEND} "
                 f"or process.")
backend_option = click.option("--backend", type=click.Choice(BACKENDS), default=None,
                              help=_BACKEND_HELP)


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
@click.option("--runtime", type=click.Choice(["python", "restricted"]), default=None,
              help=_RUNTIME_HELP)
@click.option("--require-layers", default=None, help=_REQUIRE_HELP)
@backend_option
def score(input_path: str, output: str, suite_paths: tuple[str, ...], workers: int | None,
          runtime: str | None, require_layers: str | None, backend: str | None) -> None:
    """Score the samples in INPUT (JSON Lines or a JSON list; - for stdin)."""
    samples = _read_input(input_path)
    locations = _suite_locations(suite_paths)
    index = _load_index(locations)
    settings = _settings(workers=workers, runtime=runtime)
    sandbox = _sandbox(settings, require_layers, locations, backend)
    started = time.monotonic()
    with sandbox, Scorer(index, settings=settings, sandbox=sandbox) as scorer:
        results = scorer.evaluate(samples)
        elapsed = time.monotonic() - started
        rows = [dict(r.to_response(settings), detail=r.detail()) for r in results]
        _write_results(output, rows)
        click.echo(summarize(rows, elapsed_s=elapsed, workers=sandbox.workers), err=True)
        click.echo(one_line(sandbox.layers), err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help=f"Suites checked at once. Default: ${envvars.WORKERS} or the CPUs available.")
@click.option("--runs", type=click.IntRange(min=1), default=3, show_default=True,
              help="Times each reference solution runs; a verdict that changes is flaky.")
@click.option("--min-tests", type=click.IntRange(min=0), default=5, show_default=True,
              help="Warn about suites with fewer tests.")
@click.option("--time-factor", type=click.FloatRange(min=1), default=4.0, show_default=True,
              help="A limit should allow this many times the reference's slowest test.")
@click.option("--min-timeout", "min_timeout_s", default=1.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True),
              help="No suggested per-test limit goes below this many seconds.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Also write the full report as JSON to this file.")
@click.option("--strict", is_flag=True, help="Warnings (slow tests, few tests) fail too.")
@click.option("--runtime", type=click.Choice(["python", "restricted"]), default=None,
              help=_RUNTIME_HELP)
@backend_option
def validate(paths: tuple[str, ...], workers: int | None, runs: int, min_tests: int,
             time_factor: float, min_timeout_s: float, report_path: str | None,
             strict: bool, runtime: str | None, backend: str | None) -> None:
    """Run every suite's reference solution; exit 1 if one fails itself or is flaky."""
    index = _load_index(_suite_locations(paths))
    settings = _settings(workers=workers, runtime=runtime)
    options = ValidationOptions(runs=runs, min_tests=min_tests, time_factor=time_factor,
                                min_timeout_s=min_timeout_s)
    with _sandbox(settings, None, (), backend) as sandbox, \
            Scorer(index, settings=settings, sandbox=sandbox) as scorer:
        report = validation.validate(
            scorer, index.values(), options,
            on_suite=lambda suite: click.echo("\n".join(validation.table_lines(suite))))
    click.echo(validation.summary_line(report))
    if report_path:
        _write_json(report_path, report.to_json())
    if report.failed or (strict and any(s.warnings for s in report.suites)):
        raise SystemExit(1)


def _write_json(path: str, data: Any) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


@main.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(FORMATS)))
@click.argument("input_path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder to write one suite file per task into.")
@click.option("--task-prefix", default="", help="Put before every task_id, e.g. mbpp/.")
@click.option("--source", default=None, help="Source to record where a row names none.")
@click.option("--license", "license_", default=None,
              help="License to record where a row names none.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Read only the first N rows.")
@click.option("--overwrite", is_flag=True, help="Replace suite files that already exist.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Also write the import report as JSON to this file.")
def import_command(fmt: str, input_path: str, out_dir: str, task_prefix: str,
                   source: str | None, license_: str | None, limit: int | None,
                   overwrite: bool, report_path: str | None) -> None:
    """Turn a dataset FILE (JSON Lines, gzip or not, or a JSON list) into test suites.

    FORMAT is humaneval, mbpp or apps (also TACO and LiveCodeBench rows).
    """
    try:
        report = import_file(fmt, Path(input_path), Path(out_dir), overwrite=overwrite,
                             task_prefix=task_prefix, source=source, license=license_,
                             limit=limit)
    except InvalidRequest as exc:
        raise UsageProblem(str(exc)) from None
    click.echo(report.summary())
    if report_path:
        _write_json(report_path, report.to_json())
    if report.suites == 0:
        raise UsageProblem(f"no suite could be made from {input_path}")
    click.echo(f"wrote {report.suites} suite files to {out_dir}; next: verifier validate "
               f"{out_dir}")


@main.command()
@click.option("--suites", "suite_paths", multiple=True, type=click.Path(exists=True),
              help="Suite folder or file (repeatable). Default: ./testcases.")
@click.option("--samples", type=click.IntRange(min=16), default=256, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Workers of the many-worker row. Default: the CPUs available.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the figures as JSON.")
@click.option("--backend", type=click.Choice(BACKENDS), default="process", show_default=True,
              help="docker: a warm container pool against a container per sample instead.")
@click.option("--cold-samples", type=click.IntRange(min=1), default=20, show_default=True,
              help="docker: samples with a container each (slow: keep it small).")
@click.option("--native-samples", type=click.IntRange(min=1), default=20, show_default=True,
              help="docker: C++ and JavaScript samples through the warm pool.")
def bench(suite_paths: tuple[str, ...], samples: int, workers: int | None,
          json_path: str | None, backend: str, cold_samples: int, native_samples: int) -> None:
    """Measure throughput against an in-process floor and a process-per-sample harness."""
    if backend == "docker":
        _bench_docker(samples=samples, cold_samples=cold_samples, native_samples=native_samples,
                      workers=workers, json_path=json_path)
        return
    from .benchmark.measure import measure_all, render, to_json

    index = _load_index(_suite_locations(suite_paths))
    results = measure_all(index, size=samples, workers=workers)
    click.echo(render(results))
    if json_path:
        Path(json_path).write_text(to_json(results), encoding="utf-8")


def _bench_docker(*, samples: int, cold_samples: int, native_samples: int,
                  workers: int | None, json_path: str | None) -> None:
    from .benchmark.docker import bench_docker, format_rows, rows_to_json

    settings = _settings(workers=workers)
    sandbox = _open("docker", workers=settings.workers, require="", hide=())
    if not isinstance(sandbox, DockerSandbox):
        sandbox.close()
        raise UsageProblem("bench --backend docker needs a reachable Docker engine")
    rows = []
    with sandbox:
        for row in bench_docker(samples=samples, cold_samples=cold_samples,
                                native_samples=native_samples, sandbox=sandbox):
            rows.append(row)
            click.echo(f"  {row.name}: {row.samples_per_s:.1f} samples/s", err=True)
    click.echo(format_rows(rows, workers=sandbox.workers))
    if json_path:
        Path(json_path).write_text(rows_to_json(rows), encoding="utf-8")


@main.command()
@click.option("--require-layers", default=None, help=_REQUIRE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the probe's report as JSON.")
@backend_option
def doctor(require_layers: str | None, as_json: bool, backend: str | None) -> None:
    """Probe which isolation layers hold on this machine; exit 1 if a required one does not."""
    try:
        required = envvars.process_options(os.environ, require=require_layers).require
    except InvalidRequest as exc:
        raise UsageProblem(str(exc)) from None
    with _open(backend, workers=1, require="", hide=()) as sandbox:
        try:
            sandbox.warm()
        except SandboxError as exc:
            raise UsageProblem(str(exc)) from None
        layers = dict(sandbox.layers)
        kind = "docker" if isinstance(sandbox, DockerSandbox) else "process"
        languages = sorted(sandbox.languages)
    layers["running_as_root"] = os.geteuid() == 0
    if as_json:
        click.echo(json.dumps({**layers, "backend": kind, "languages": languages}, indent=2,
                              sort_keys=True))
    else:
        click.echo(f"backend: {kind}; languages: {', '.join(languages)}")
        click.echo(describe(layers, required))
    absent = missing(layers, required)
    if absent:
        click.echo(f"strict mode: required layer(s) {absent} do not hold here", err=True)
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
