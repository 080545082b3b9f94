# The one entry point. `make demo` and `make test` each install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The Lambda image. BASE_IMAGE empty: the official python:3.11-slim when it can
# be pulled, else a Debian bookworm base built here from Debian's packages.
IMAGE ?= verifier-lambda:latest
BASE_IMAGE ?=
ARCH ?= $(shell uname -m)
# The offline base (also usable for other images: name and packages are parameters).
DEBIAN_BASE ?= verifier-lambda-base:bookworm
DEBIAN_PACKAGES ?= python3 libstdc++6
RUN_LOCAL_PORT ?= 9000
# The tag tests/e2e builds for this checkout (tests/e2e/test_image.py names it the same way).
TEST_IMAGE := verifier-lambda:test-$(shell printf %s "$(realpath .)" | sha1sum | cut -c1-10)
# boto3 signs every request, also to the local emulator: dummy values, never the machine's.
LOCAL_AWS := env -u AWS_SESSION_TOKEN -u AWS_PROFILE AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \
	AWS_DEFAULT_REGION=us-east-1

.PHONY: install demo test test-unprivileged lint format bench clean \
	base-image image image-test run-local invoke-local image-clean sandbox-images bench-docker

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Score the shipped example batch against the shipped suites.
demo: install
	$(BIN)/verifier score examples/batch.jsonl -o results.jsonl

lint: install
	$(BIN)/ruff check verifier tests examples
	$(BIN)/mypy

## Lint, then every test (tests/e2e builds the Lambda image and runs the emulator, and
## starts real sandbox containers), as root and again as an unprivileged user.
test: lint sandbox-images
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-unprivileged

## The sandbox and functional tests again as a user without privileges (the Lambda case).
test-unprivileged: install
	tests/as_unprivileged.sh $(BIN)/python -m pytest -p no:cacheprovider tests/functional tests/sandbox

## Throughput against an in-process floor and a process-per-sample harness.
bench: install
	$(BIN)/verifier bench

## Warm container pool against a container per sample, and C++ / JavaScript samples.
bench-docker: install sandbox-images
	$(BIN)/verifier bench --backend docker

## The Docker backend's images (python, cpp, node), built offline on Debian bases made
## with tools/debian-base-image.sh; only what changed is rebuilt. Needs Docker (and root
## the first time, for mmdebstrap).
sandbox-images:
	tools/sandbox-images.sh

## A minimal Debian image from this machine's Debian archive, built once.
base-image:
	tools/debian-base-image.sh $(DEBIAN_BASE) $(DEBIAN_PACKAGES)

## The Lambda container image (rebuilt only when its inputs change).
image: install
	IMAGE=$(IMAGE) BASE_IMAGE=$(BASE_IMAGE) DEBIAN_BASE=$(DEBIAN_BASE) ARCH=$(ARCH) \
		PYTHON=$(BIN)/python lambda_container/build.sh

## Start the built image under its emulator, invoke it over HTTP, check the answers.
image-test: image
	LAMBDA_IMAGE=$(IMAGE) $(BIN)/python -m pytest -p no:cacheprovider tests/e2e/test_image.py
	@cat build/lambda-image/measurements.json

## The handler under the Lambda emulator as a normal process (no Docker), on RUN_LOCAL_PORT.
run-local: install
	PORT=$(RUN_LOCAL_PORT) PYTHON=$(BIN)/python lambda_container/run-local.sh

## Score the example batch with `verifier invoke` against `make run-local`.
invoke-local: install
	$(LOCAL_AWS) $(BIN)/verifier invoke examples/batch.jsonl --function-name function \
		--endpoint-url http://127.0.0.1:$(RUN_LOCAL_PORT) --concurrency 1 -o results-invoke.jsonl

## Remove this checkout's images (the Debian base stays: other images build on it).
image-clean:
	-docker rmi $(IMAGE) $(TEST_IMAGE)

format: install
	$(BIN)/ruff check --fix verifier tests examples
	$(BIN)/ruff format verifier tests examples

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .cache \
		results.jsonl results-invoke.jsonl
