#!/usr/bin/env bash
# Run the Lambda handler under the runtime interface emulator as a normal
# process (no Docker): what `make run-local` runs. The function answers at
#   POST http://127.0.0.1:$PORT/2015-03-31/functions/function/invocations
# and `verifier invoke --endpoint-url http://127.0.0.1:$PORT --function-name function`
# sends it a JSONL file in batches (the emulator serves one invocation at a
# time: use --concurrency 1). Stop it with Ctrl-C.
#
# Environment: PORT (9000), PYTHON (the venv's python), VERIFIER_SUITES
# (./testcases) and every other VERIFIER_* setting, passed to the function.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}
port=${PORT:-9000}
# The Runtime API gets a free port: two emulators on one machine must not share 9001.
api_port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rie=$(PYTHON="$python" "$root/tools/fetch-rie.sh")
export VERIFIER_SUITES=${VERIFIER_SUITES:-$root/testcases}

cat >&2 <<EOF
verifier handler under the Lambda runtime interface emulator (no Docker)
  suites:  $VERIFIER_SUITES
  invoke:  curl -s -d @batch.json http://127.0.0.1:$port/2015-03-31/functions/function/invocations
      or:  make invoke-local     (verifier invoke examples/batch.jsonl against it)
EOF
cd "$root"
exec "$rie" --runtime-interface-emulator-address "127.0.0.1:$port" \
    --runtime-api-address "127.0.0.1:$api_port" \
    "$python" -m awslambdaric verifier.handler.lambda_handler
