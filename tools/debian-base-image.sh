#!/usr/bin/env bash
# Build a minimal Debian image from Debian's packages and import it into
# Docker, for machines that reach a Debian archive but no container registry.
# Nothing is built when an image of that name exists already with the same
# release and packages (recorded in its labels); FORCE=1 rebuilds anyway.
#
#   tools/debian-base-image.sh IMAGE [PACKAGE...]
#   tools/debian-base-image.sh verifier-lambda-base:bookworm python3
#
# The archive address is read from this machine's apt configuration
# (/etc/apt/sources.list.d/*.sources, *.list, /etc/apt/sources.list), never
# written here: the release's main, -updates and -security suites found there
# are used, with the target release's codename. mmdebstrap builds the root
# file system (variant "essential" plus the packages asked for, no apt, no
# documentation) straight into a tarball; `docker import` turns it into an
# image. It is installed with apt-get when missing (as root).
#
# Environment: DEBIAN_SUITE (default bookworm, whose python3 is 3.11),
# FORCE=1 to rebuild an existing image.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 IMAGE [PACKAGE...]" >&2
    exit 2
fi
image=$1
shift
packages=("$@")
suite=${DEBIAN_SUITE:-bookworm}

wanted="$suite: ${packages[*]:-}"
built=$(docker image inspect --format '{{ index .Config.Labels "verifier.base.contents" }}' \
        "$image" 2>/dev/null || true)
if [ "${FORCE:-0}" != 1 ] && [ "$built" = "$wanted" ]; then
    echo "base image $image ($wanted) exists; not rebuilt (FORCE=1 rebuilds)" >&2
    exit 0
fi

if ! command -v mmdebstrap >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        echo "$0: mmdebstrap is missing; install it (apt-get install mmdebstrap) or run as root" >&2
        exit 1
    fi
    echo "installing mmdebstrap with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt_get=(apt-get -q -y -o DPkg::Lock::Timeout=300)
    "${apt_get[@]}" install --no-install-recommends mmdebstrap >&2 \
        || { "${apt_get[@]}" update >&2 && "${apt_get[@]}" install --no-install-recommends mmdebstrap >&2; }
fi

# "URI SUITE COMPONENTS..." for every enabled deb entry of the apt configuration.
apt_entries() {
    local file
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        awk '
            function flush(   n, m, i, j, U, S) {
                if (types ~ /(^| )deb( |$)/ && enabled != "no") {
                    n = split(uris, U, " "); m = split(suites, S, " ")
                    for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) print U[i], S[j], comps
                }
                types = uris = suites = comps = ""; enabled = "yes"
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            /^[ \t]/ { next }
            {
                key = tolower($1); sub(/:$/, "", key); $1 = ""; value = $0
                gsub(/^[ \t]+|[ \t]+$/, "", value)
                if (key == "types") types = value
                else if (key == "uris") uris = value
                else if (key == "suites") suites = value
                else if (key == "components") comps = value
                else if (key == "enabled") enabled = tolower(value)
            }
            END { flush() }
        ' "$file"
    done
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] || continue
        awk '$1 == "deb" {
            i = 2
            if ($2 ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
            comps = ""; for (k = i + 2; k <= NF; k++) comps = comps " " $k
            print $i, $(i + 1), comps
        }' "$file"
    done
}

# The Debian archives among them: suites of this machine's release or of the
# target one (other vendors' repositories are left out), renamed to the target.
host_codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
mirrors=()
while read -r uri entry_suite components; do
    base=${entry_suite%%-*}
    tail=${entry_suite#"$base"}
    if [ "$base" != "$suite" ] && [ "$base" != "${host_codename:-$suite}" ]; then
        continue
    fi
    case "$tail" in "" | -updates | -security) ;; *) continue ;; esac
    mirrors+=("deb $uri $suite$tail ${components:-main}")
done < <(apt_entries | sort -u)

if ! printf '%s\n' "${mirrors[@]}" | grep -q " $suite "; then
    echo "$0: no Debian archive for '$suite' in this machine's apt configuration" >&2
    exit 1
fi
printf 'using archive: %s\n' "${mirrors[@]}" >&2

# Copy the apt settings a mirror may need (a proxy; snapshot mirrors whose
# Release files are past their Valid-Until date) from this machine's apt.
apt_options=()
eval "$(apt-config shell valid_until Acquire::Check-Valid-Until http_proxy Acquire::http::Proxy)"
if [ "${valid_until:-}" = false ]; then
    apt_options+=(--aptopt='Acquire::Check-Valid-Until "false"')
fi
if [ -n "${http_proxy:-}" ]; then
    apt_options+=(--aptopt="Acquire::http::Proxy \"$http_proxy\"")
fi

previous=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
include=$(IFS=,; echo "${packages[*]}")
work=$(mktemp -d "${TMPDIR:-/tmp}/debian-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
mmdebstrap --variant=essential ${include:+--include="$include"} "${apt_options[@]}" \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    "$suite" "$work/rootfs.tar" "${mirrors[@]}" >&2

docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL org.opencontainers.image.description=\"Debian $suite (essential) + ${packages[*]:-nothing}, built by tools/debian-base-image.sh\"" \
    --change "LABEL verifier.base.contents=\"$wanted\"" \
    --change 'CMD ["/bin/sh"]' \
    "$work/rootfs.tar" "$image" >&2
# The image this name held before is ours: remove it (kept while images built on it remain).
if [ -n "$previous" ]; then
    docker rmi "$previous" >/dev/null 2>&1 || true
fi
echo "built base image $image (Debian $suite + ${packages[*]:-nothing})" >&2
