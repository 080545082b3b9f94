#!/bin/sh
# The image's entry point. In Lambda, AWS_LAMBDA_RUNTIME_API is set and the
# runtime interface client talks to it directly. Anywhere else (docker run on
# a laptop or in CI) there is no Runtime API, so the runtime interface
# emulator provides one and serves invocations over HTTP on port 8080:
#   POST http://localhost:8080/2015-03-31/functions/function/invocations
set -eu
if [ -z "${AWS_LAMBDA_RUNTIME_API:-}" ]; then
    exec /usr/local/bin/aws-lambda-rie python3 -m awslambdaric "$@"
fi
exec python3 -m awslambdaric "$@"
