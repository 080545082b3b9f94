#!/usr/bin/env bash
# Run a command as an unprivileged user, the way AWS Lambda runs the service:
# not root, so no uid drop, no namespaces, and RLIMIT_NPROC shared with the
# service. As root: create the user (once) and let it traverse the folders
# down to the Python interpreter and this checkout (this machine's Python
# lives under /root, which is 0700); then drop to it. As anyone else: run the
# command unchanged, since that already is the unprivileged path.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
    exec "$@"
fi
user=verifier-ci
if ! id -u "$user" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
fi
allow_traverse() {
    local dir
    dir=$(readlink -f "$1")
    while [ "$dir" != "/" ]; do
        chmod o+x "$dir"
        dir=$(dirname "$dir")
    done
}
allow_traverse "$(dirname "$(readlink -f "$1")")"
allow_traverse "$PWD"
home=$(mktemp -d /tmp/verifier-ci-home.XXXXXX)
chown "$user:" "$home"
export HOME="$home" PYTHONDONTWRITEBYTECODE=1
trap 'rm -rf "$home"' EXIT
setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
