#!/usr/bin/env bash
# Build the Docker backend's images (`make sandbox-images`), offline:
#
#   verifier-sandbox-python:latest   sandbox_images/python   the runner, the standard library
#   verifier-sandbox-cpp:latest      sandbox_images/cpp      + g++ and static libraries
#   verifier-sandbox-node:latest     sandbox_images/node     + Node.js (Debian's nodejs)
#
#   tools/sandbox-images.sh [python|cpp|node ...]     (all three by default)
#   tools/sandbox-images.sh --digest                  print the runner digest and exit
#
# Each image is built on a Debian base made here from this machine's Debian
# archive (tools/debian-base-image.sh), since no container registry may be
# reachable; BASE_IMAGE=debian:bookworm-slim (or any Debian image) uses that
# instead, the Dockerfiles installing what it lacks. Idempotent: an image is
# rebuilt only when its base, its Dockerfile or the runner changed. The runner's digest is
# recorded in the label `verifier.runner-digest`; the backend refuses an
# image whose digest is not its own runner's (the protocol must match).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runner=verifier/sandbox/runner

# sha256 over "NAME SHA256\n" for each runner module in byte order of names;
# verifier/sandbox/images.py computes the same.
runner_digest() {
    local name
    (cd "$runner" && for name in $(LC_ALL=C ls -- *.py); do
        printf '%s %s\n' "$name" "$(sha256sum < "$name" | cut -d' ' -f1)"
    done) | sha256sum | cut -d' ' -f1
}

if [ "${1:-}" = --digest ]; then
    runner_digest
    exit 0
fi

declare -A packages=([python]="python3" [cpp]="python3 g++ libc6-dev" [node]="python3 nodejs")
if [ $# -eq 0 ]; then
    set -- python cpp node
fi
# The C++ and Node.js images copy the runner from the Python image: it comes first.
if [ "$1" != python ]; then
    set -- python "$@"
fi
digest=$(runner_digest)
label() { docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }

for name in "$@"; do
    if [ -z "${packages[$name]:-}" ]; then
        echo "$0: unknown image '$name' (python, cpp or node)" >&2
        exit 2
    fi
    image=verifier-sandbox-$name:latest
    base=${BASE_IMAGE:-}
    if [ -z "$base" ]; then
        base=verifier-sandbox-base-$name:bookworm
        # shellcheck disable=SC2086  # the package list splits on purpose
        tools/debian-base-image.sh "$base" ${packages[$name]}
    elif ! docker image inspect "$base" >/dev/null 2>&1; then
        docker pull "$base"
    fi
    base_id=$(docker image inspect --format '{{.Id}}' "$base")
    recipe=$(sha256sum < "sandbox_images/$name/Dockerfile" | cut -d' ' -f1)
    if [ "$(label "$image" verifier.runner-digest)" = "$digest" ] \
            && [ "$(label "$image" verifier.base-id)" = "$base_id" ] \
            && [ "$(label "$image" verifier.dockerfile)" = "$recipe" ]; then
        echo "$image is up to date" >&2
        continue
    fi
    context=$(mktemp -d "${TMPDIR:-/tmp}/verifier-sandbox-image.XXXXXX")
    if [ "$name" = python ]; then
        mkdir "$context/runner"
        cp "$runner"/*.py "$context/runner/"
    fi
    cp "sandbox_images/$name/Dockerfile" "$context/Dockerfile"
    chmod -R a+rX "$context"
    previous=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
    if ! docker build --quiet --build-arg "BASE_IMAGE=$base" \
            --build-arg "RUNNER_IMAGE=verifier-sandbox-python:latest" \
            --label "verifier.runner-digest=$digest" --label "verifier.base-id=$base_id" \
            --label "verifier.dockerfile=$recipe" \
            --tag "$image" "$context" >/dev/null; then
        rm -rf "$context"
        echo "$0: building $image failed" >&2
        exit 1
    fi
    rm -rf "$context"
    # The image this tag named before was ours and is now unnamed: remove it.
    if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$image")" ]
    then
        docker rmi "$previous" >/dev/null 2>&1 || true
    fi
    echo "built $image on $base" >&2
done
