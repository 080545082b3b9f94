#!/usr/bin/env bash
# Build a minimal Debian image from Debian's own packages and `docker import` it,
# for machines that reach a Debian archive but no container registry.
#
#   scripts/debian-base.sh IMAGE [PACKAGE...]
#   scripts/debian-base.sh verifier-sandbox-base-cpp:bookworm python3 g++ libc6-dev
#
# Idempotent: nothing is built when IMAGE exists with the same release and
# packages (recorded in its label `verifier.base.contents`); FORCE=1 rebuilds.
# The archive address comes from this machine's apt configuration
# (/etc/apt/sources.list.d/*.sources, then *.list files), never from here:
# the entries for the target release (main, -updates, -security) are used.
# mmdebstrap (installed with apt-get when missing, as root) writes the root
# file system (variant "essential" plus PACKAGES, no apt, no documentation)
# straight to a tarball.
#
# The Lambda image work (issue 5) has a script of the same shape; the two can
# become one: same arguments, same label.
#
# Environment: DEBIAN_SUITE (default bookworm, whose python3 is 3.11), FORCE=1.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 IMAGE [PACKAGE...]" >&2
    exit 2
fi
image=$1
shift
packages=("$@")
suite=${DEBIAN_SUITE:-bookworm}
contents="$suite: ${packages[*]:-}"

label=$(docker image inspect --format '{{ index .Config.Labels "verifier.base.contents" }}' \
        "$image" 2>/dev/null || true)
if [ "${FORCE:-0}" != 1 ] && [ "$label" = "$contents" ]; then
    echo "base image $image ($contents) exists; not rebuilt" >&2
    exit 0
fi

if ! command -v mmdebstrap >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        echo "$0: mmdebstrap is missing: apt-get install mmdebstrap (as root)" >&2
        exit 1
    fi
    echo "installing mmdebstrap with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends mmdebstrap >&2 \
        || { apt-get -q -y update >&2 \
             && apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends \
                mmdebstrap >&2; }
fi

# One "URI SUITE COMPONENTS" line per enabled deb entry of this machine's apt sources.
deb822_entries() {
    awk '
        function emit(   n, m, i, j, u, s) {
            if (types ~ /(^| )deb( |$)/ && enabled != "no") {
                n = split(uris, u, " "); m = split(suites, s, " ")
                for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) print u[i], s[j], comps
            }
            types = uris = suites = comps = ""; enabled = "yes"
        }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { emit(); next }
        /^[^ \t]/ {
            key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^[ \t]+/, "")
            if (key == "types") types = $0
            else if (key == "uris") uris = $0
            else if (key == "suites") suites = $0
            else if (key == "components") comps = $0
            else if (key == "enabled") enabled = tolower($0)
        }
        END { emit() }
    ' "$@"
}
one_line_entries() {
    awk '$1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
        comps = ""; for (k = i + 2; k <= NF; k++) comps = comps " " $k
        print $i, $(i + 1), comps
    }' "$@"
}
apt_entries() {
    local sources=() lists=() file
    for file in /etc/apt/sources.list.d/*.sources; do [ -f "$file" ] && sources+=("$file"); done
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] && lists+=("$file")
    done
    [ ${#sources[@]} -eq 0 ] || deb822_entries "${sources[@]}"
    [ ${#lists[@]} -eq 0 ] || one_line_entries "${lists[@]}"
}

# Keep the Debian archives of this machine's release or of the target one
# (third-party repositories are left out), renamed to the target release.
host_codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
mirrors=()
while read -r uri entry_suite components; do
    release=${entry_suite%%-*}
    pocket=${entry_suite#"$release"}
    [ "$release" = "$suite" ] || [ "$release" = "${host_codename:-$suite}" ] || continue
    case "$pocket" in "" | -updates | -security) ;; *) continue ;; esac
    mirrors+=("deb $uri $suite$pocket ${components:-main}")
done < <(apt_entries | sort -u)
if ! printf '%s\n' "${mirrors[@]}" | grep -q " $suite "; then
    echo "$0: no Debian archive for '$suite' in this machine's apt configuration" >&2
    exit 1
fi
printf 'archive: %s\n' "${mirrors[@]}" >&2

# Settings a mirror may need, taken from this machine's apt: a proxy, and
# snapshot archives whose Release files are past their Valid-Until date.
apt_options=()
eval "$(apt-config shell valid_until Acquire::Check-Valid-Until http_proxy Acquire::http::Proxy)"
[ "${valid_until:-}" != false ] || apt_options+=(--aptopt='Acquire::Check-Valid-Until "false"')
[ -z "${http_proxy:-}" ] || apt_options+=(--aptopt="Acquire::http::Proxy \"$http_proxy\"")

work=$(mktemp -d "${TMPDIR:-/tmp}/verifier-debian-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
include=$(IFS=,; echo "${packages[*]:-}")
mmdebstrap --variant=essential ${include:+--include="$include"} "${apt_options[@]}" \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    "$suite" "$work/rootfs.tar" "${mirrors[@]}" >&2

previous=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL verifier.base.contents=\"$contents\"" \
    --change 'CMD ["/bin/sh"]' \
    "$work/rootfs.tar" "$image" >&2
# The image this name held before was ours: remove it (Docker keeps it while in use).
if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$image")" ]; then
    docker rmi "$previous" >/dev/null 2>&1 || true
fi
echo "built base image $image ($contents)" >&2
