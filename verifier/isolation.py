"""What each isolation layer means, and the probe's report as text and metrics (pure).

The zygote's probe says which layers actually hold on this machine (see
`sandbox/runner/layers.py`); this module names them for people (`verifier
doctor`), for logs (one line), and for dashboards (`isolation_*` metrics).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["LAYERS", "describe", "metrics", "missing", "one_line", "parse_required"]

LAYERS: dict[str, str] = {
    "seccomp": "seccomp filters: no sockets, exec, tracing, mounts, filesystem changes or "
               "new processes; signals only to itself",
    "no_new_files": "open-file limit 0: no file, socket, pipe or unloaded module can be opened",
    "no_network": "a program cannot create a socket",
    "no_exec": "a program cannot exec another binary",
    "no_fs_changes": "a program cannot create, rename or delete files by path",
    "no_fork": "a program cannot start processes (threads still work)",
    "hard_limits": "resource limits cannot be raised back (hard = soft)",
    "empty_env": "the program's environment is empty",
    "service_unreachable": "a program cannot signal the service process",
    "service_non_dumpable": "the service's memory and /proc/<pid>/environ are closed to its uid",
    "non_dumpable": "the zygote's memory is closed to its children",
    "subreaper": "orphans of a program come back to the zygote and are killed",
    "uid_drop": "root or docker: programs run as an unprivileged uid of their own",
    "netns": "root or docker: programs have no network at all (own namespace)",
    "mountns": "root or docker: fresh /tmp and /dev/shm, suites hidden (or not there at all)",
    "pidns": "root or docker: programs see only their own processes; the zygote is their init",
    "cgroup": "root or docker: a cgroup bounds memory (files in memory included) and processes",
    "landlock": "the kernel has Landlock: compilers and Node.js read only system folders and "
                "their work folder",
    "read_only_root": "docker only: the root file system is read-only; only a small /tmp is "
                      "writable",
    "no_capabilities": "docker only: every capability dropped, and no-new-privileges",
}


def parse_required(text: str | None) -> frozenset[str]:
    """Layer names from 'seccomp,no_new_files'; unknown names are an error."""
    names = frozenset(part.strip() for part in (text or "").split(",") if part.strip())
    unknown = sorted(names - LAYERS.keys())
    if unknown:
        raise ValueError(f"unknown isolation layer(s) {unknown}; known: {sorted(LAYERS)}")
    return names


def missing(layers: Mapping[str, Any], required: Iterable[str]) -> list[str]:
    return sorted(name for name in required if layers.get(name) is not True)


def one_line(layers: Mapping[str, Any]) -> str:
    """Every layer as on/off, on one line for a log."""
    return "isolation: " + " ".join(
        f"{name}={'on' if layers.get(name) is True else 'off'}" for name in LAYERS)


def metrics(layers: Mapping[str, Any]) -> dict[str, float]:
    """One `isolation_<layer>` metric per layer (1.0 on, 0.0 off) and their count."""
    out = {f"isolation_{name}": 1.0 if layers.get(name) is True else 0.0 for name in LAYERS}
    out["isolation_layers"] = sum(out.values())
    return out


def describe(layers: Mapping[str, Any], required: Iterable[str] = ()) -> str:
    """A table for `verifier doctor`."""
    need = set(required)
    rows = []
    for name, meaning in LAYERS.items():
        state = "on " if layers.get(name) is True else "off"
        mark = "  (required)" if name in need else ""
        rows.append(f"  {state}  {name:22s} {meaning}{mark}")
    active = sum(1 for name in LAYERS if layers.get(name) is True)
    return "\n".join([f"{active} of {len(LAYERS)} isolation layers hold here:", *rows])
