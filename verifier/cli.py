"""The `verifier` command: score batches and check suites from a terminal.

Environment variables are read here (and in handler.py) only; see envvars.
Exit status: 0 when the batch was scored, whatever the rewards; 2 for
unusable input or options; 1 when `validate` finds a suite that fails itself.
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
from .bench_docker import bench_docker as run_bench
from .bench_docker import format_rows
from .errors import InvalidRequest, SandboxError, VerifierError
from .isolation import describe, missing, one_line
from .sandbox.backends import BACKENDS, open_sandbox
from .sandbox.docker import DockerSandbox
from .sandbox.process import ProcessSandbox
from .service import SampleResult, Scorer
from .settings import Settings
from .suites import SuiteIndex, load_suites
from .summary import summarize

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
        return load_suites(locations)
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
@click.option("--suites", "suite_paths", multiple=True, type=click.Path(exists=True),
              help=f"Suite folder or file (repeatable). Default: ${envvars.SUITES} or ./testcases.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help=f"Samples run at once. Default: ${envvars.WORKERS} or the CPUs available.")
@click.option("--runtime", type=click.Choice(["python", "restricted"]), default=None,
              help=_RUNTIME_HELP)
@click.option("--require-layers", default=None, help=_REQUIRE_HELP)
@backend_option
def score(input_path: str, output: str, suite_paths: tuple[str, ...], workers: int | None,
          runtime: str | None, require_layers: str | None, backend: str | None) -> None:
    """Score the samples in INPUT (JSON Lines or a JSON list; - for stdin)."""
    if input_path == "-":
        samples = read_samples(sys.stdin, "stdin")
    else:
        try:
            with open(input_path, encoding="utf-8") as handle:
                samples = read_samples(handle, input_path)
        except OSError as exc:
            raise UsageProblem(f"cannot read {input_path}: {exc.strerror}") from None
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
@click.option("--runtime", type=click.Choice(["python", "restricted"]), default=None,
              help=_RUNTIME_HELP)
@backend_option
def validate(paths: tuple[str, ...], workers: int | None, runtime: str | None,
             backend: str | None) -> None:
    """Run every suite's reference solution; fail if any suite does not pass itself."""
    locations = _suite_locations(paths)
    index = _load_index(locations)
    settings = _settings(workers=workers, runtime=runtime)
    failed = missing = 0
    with _sandbox(settings, None, (), backend) as sandbox, \
            Scorer(index, settings=settings, sandbox=sandbox) as scorer:
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
@click.option("--require-layers", default=None, help=_REQUIRE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the probe's report as JSON.")
@backend_option
def doctor(require_layers: str | None, as_json: bool, backend: str | None) -> None:
    """Probe which isolation layers hold on this machine; exit 1 if a required one does not."""
    required = _required(require_layers)
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


def _required(require_layers: str | None) -> frozenset[str]:
    try:
        return envvars.process_options(os.environ, require=require_layers).require
    except InvalidRequest as exc:
        raise UsageProblem(str(exc)) from None


@main.command("bench-docker")
@click.option("--samples", type=click.IntRange(min=1), default=200, show_default=True,
              help="Python samples through the warm pool.")
@click.option("--cold-samples", type=click.IntRange(min=1), default=20, show_default=True,
              help="Python samples with a container each (slow: keep it small).")
@click.option("--native-samples", type=click.IntRange(min=1), default=20, show_default=True,
              help="C++ and JavaScript samples through the warm pool.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help=f"Samples run at once. Default: ${envvars.WORKERS} or the CPUs available.")
def bench_docker(samples: int, cold_samples: int, native_samples: int,
                 workers: int | None) -> None:
    """Warm container pool against a container per sample: samples/s and the ratio."""
    settings = _settings(workers=workers)
    sandbox = _open("docker", workers=settings.workers, require="", hide=())
    if not isinstance(sandbox, DockerSandbox):
        sandbox.close()
        raise UsageProblem("bench-docker needs a reachable Docker engine")
    rows = []
    with sandbox:
        for row in run_bench(samples=samples, cold_samples=cold_samples,
                             native_samples=native_samples, sandbox=sandbox):
            rows.append(row)
            click.echo(f"  {row.name}: {row.samples_per_s:.1f} samples/s", err=True)
    click.echo(format_rows(rows, workers=sandbox.workers))
