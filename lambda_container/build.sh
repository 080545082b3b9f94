#!/usr/bin/env bash
# Build the Lambda function image (what `make image` runs).
#
# 1. Choose the base: BASE_IMAGE if given; else the official Python image
#    ($DEFAULT_BASE) if it is present or can be pulled; else a Debian
#    bookworm base built here from Debian's packages (tools/debian-base-image.sh),
#    for machines that reach no container registry.
# 2. Prepare the build context in build/lambda-image: the package's runtime
#    dependencies installed for the image's platform (cached until
#    pyproject.toml changes), the package itself, testcases/, the entry script
#    and the runtime interface emulator (tools/fetch-rie.sh).
# 3. docker build with lambda_container/Dockerfile. Nothing in the build
#    reaches the network: every file comes from the prepared context.
#
# An image whose label says it was built from the same inputs (sources,
# testcases, this folder, base image, architecture) is left as it is.
#
# Environment: IMAGE (verifier-lambda:latest), BASE_IMAGE, DEBIAN_BASE
# (verifier-lambda-base:bookworm), ARCH (this machine's), PYTHON (a Python
# with pip; default python3), PYTHON_VERSION (3.11: the base's Python),
# FORCE=1 to rebuild anyway.
set -euo pipefail
umask 022

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
image=${IMAGE:-verifier-lambda:latest}
python=${PYTHON:-python3}
python_version=${PYTHON_VERSION:-3.11}
default_base=public.ecr.aws/docker/library/python:${python_version}-slim
debian_base=${DEBIAN_BASE:-verifier-lambda-base:bookworm}
host_arch=$(uname -m)
arch=${ARCH:-$host_arch}
case "$arch" in
    x86_64 | amd64) arch=x86_64 docker_arch=amd64 pip_platform=manylinux2014_x86_64 ;;
    aarch64 | arm64) arch=arm64 docker_arch=arm64 pip_platform=manylinux2014_aarch64 ;;
    *) echo "build: unsupported ARCH '$arch' (x86_64 or arm64)" >&2; exit 2 ;;
esac

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

base=${BASE_IMAGE:-}
if [ -n "$base" ]; then
    have_image "$base" || docker pull "$base"
elif have_image "$default_base" || timeout 120 docker pull "$default_base" >/dev/null 2>&1; then
    base=$default_base
else
    echo "cannot pull $default_base; using a Debian base built from this machine's archive" >&2
    # libstdc++6: awslambdaric's native client needs it (the official image has it).
    FORCE=0 DEBIAN_SUITE=bookworm tools/debian-base-image.sh "$debian_base" python3 libstdc++6
    base=$debian_base
fi
echo "base image: $base" >&2

# Everything the image is made of; an image built from the same inputs is kept.
inputs=$( {
    docker image inspect --format '{{.Id}}' "$base"
    echo "$arch $python_version ${SAM_CLI_VERSION:-}"
    find pyproject.toml verifier testcases lambda_container tools/fetch-rie.sh -type f \
        -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum
} | sha256sum | cut -c1-32)
built_from=$(docker image inspect --format '{{ index .Config.Labels "verifier.inputs" }}' \
             "$image" 2>/dev/null || true)
if [ "$built_from" = "$inputs" ] && [ "${FORCE:-0}" != 1 ]; then
    echo "$image is up to date (same sources, base and emulator); not rebuilt" >&2
    exit 0
fi

context=$root/build/lambda-image
mkdir -p "$context"

# The package as a wheel, then its runtime dependencies for the image's
# platform. The dependencies change rarely: they are reinstalled only when
# pyproject.toml, the platform or the Python version changes.
rm -rf "$context/wheel" "$context/app"
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$context/wheel" "$root" >/dev/null 2>&1 \
    || "$python" -m pip wheel --no-deps --wheel-dir "$context/wheel" "$root"
wheel=$(ls "$context"/wheel/verifier-*.whl)
key="$(sha256sum pyproject.toml | cut -c1-16) $pip_platform $python_version"
if [ "$(cat "$context/deps.key" 2>/dev/null)" != "$key" ]; then
    rm -rf "$context/deps" "$context/deps.key"
    "$python" -m pip install --quiet --no-compile --target "$context/deps" \
        --platform "$pip_platform" --implementation cp --python-version "$python_version" \
        --only-binary=:all: "$wheel[lambda]"
    # The package itself goes into its own layer below; console scripts carry
    # this machine's interpreter path and are of no use in the image.
    rm -rf "$context"/deps/verifier "$context"/deps/verifier-*.dist-info "$context/deps/bin"
    echo "$key" > "$context/deps.key"
fi
"$python" -m pip install --quiet --no-compile --no-deps --target "$context/app" "$wheel"
rm -rf "$context/app/bin"

rm -rf "$context/testcases"
cp -r testcases "$context/testcases"
cp lambda_container/entry.sh "$context/entry.sh"
cp "$(PYTHON="$python" tools/fetch-rie.sh "$arch")" "$context/aws-lambda-rie"

# Lambda runs the function as an unprivileged user: everything must be readable.
chmod -R a+rX "$context"

platform=()
if [ "$arch" != "$(case "$host_arch" in aarch64) echo arm64 ;; *) echo "$host_arch" ;; esac)" ]; then
    platform=(--platform "linux/$docker_arch")
fi
previous=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
docker build "${platform[@]}" --build-arg "BASE_IMAGE=$base" \
    --label "verifier.inputs=$inputs" --tag "$image" \
    --file lambda_container/Dockerfile "$context" >&2
# The image this tag named before is ours and now unnamed: remove it rather
# than leave it to pile up (kept if a container still uses it).
current=$(docker image inspect --format '{{.Id}}' "$image")
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
    docker rmi "$previous" >/dev/null 2>&1 || true
fi
echo "built $image on $base" >&2
