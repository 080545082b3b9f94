#!/usr/bin/env bash
# Print the path of the AWS Lambda runtime interface emulator (RIE) for an
# architecture (x86_64 or arm64; default: this machine's), fetching it once.
#
# The RIE is a static Go binary that AWS ships inside the aws-sam-cli wheel
# on PyPI (samcli/local/rapid/aws-lambda-rie-<arch>). It is fetched with pip,
# which this project's machines can reach when no container registry or
# GitHub release download is reachable, and only that one member is
# extracted into a cache folder that git ignores. Nothing binary is committed.
#
#   tools/fetch-rie.sh [ARCH]     -> /path/to/.cache/rie/<version>/aws-lambda-rie-<arch>
#
# Environment: PYTHON (default python3), SAM_CLI_VERSION (the pinned wheel),
# VERIFIER_CACHE_DIR (default: .cache in the checkout).
set -euo pipefail

arch=${1:-$(uname -m)}
case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "fetch-rie: unsupported architecture '$arch' (x86_64 or arm64)" >&2; exit 2 ;;
esac
python=${PYTHON:-python3}
# Pinned so that every build runs the same emulator; bump deliberately.
version=${SAM_CLI_VERSION:-1.170.0}
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${VERIFIER_CACHE_DIR:-$root/.cache}/rie/$version
binary=$cache/aws-lambda-rie-$arch

if [ ! -x "$binary" ]; then
    mkdir -p "$cache"
    work=$(mktemp -d "$cache/.fetch.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    "$python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" \
        "aws-sam-cli==$version" >&2
    wheel=$(ls "$work"/aws_sam_cli-*.whl)
    "$python" - "$wheel" "samcli/local/rapid/aws-lambda-rie-$arch" "$work/rie" <<'PY'
import shutil, sys, zipfile
wheel, member, target = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive, archive.open(member) as src, open(target, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
    chmod 0755 "$work/rie"
    # A rename is atomic: a build running beside this one sees all or nothing.
    mv -f "$work/rie" "$binary"
fi
echo "$binary"
