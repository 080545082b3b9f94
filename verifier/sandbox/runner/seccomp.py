"""Seccomp filters, assembled by hand as classic BPF and installed through ctypes.

Two filters stack (the stricter answer wins):

* the **zygote filter**, installed once in the zygote and inherited by every
  child: no sockets, no tracing, no mounts or namespaces, no kernel-wide
  operations, no signal to the service, to init or to every process (-1);
* the **child filter**, added in each child before the program runs: no
  exec, no change to the filesystem (a zero open-file limit still lets a
  program unlink, rename, truncate or mkdir by path), and signals only to
  itself, its own process group and processes started after it.

Denied calls fail with EPERM (clone3 with ENOSYS, so libc falls back to
clone, whose namespace flags are checked). Needs no privilege: only
PR_SET_NO_NEW_PRIVS, which any process may set. Supported on x86_64 and
aarch64; elsewhere `install` reports False and the other layers stand alone.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from .syscalls import ARCH as _ARCH
from .syscalls import SYSCALLS as _SYSCALLS

__all__ = ["ChildFilter", "child_filter", "compile_filter", "exec_listener_filter", "install",
           "install_listener", "program_filter", "supported", "zygote_filter"]

_ZYGOTE_DENY = (
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4", "ptrace",
    "process_vm_readv", "process_vm_writev", "mount", "umount2", "pivot_root", "chroot",
    "unshare", "setns", "kexec_load", "kexec_file_load", "bpf", "perf_event_open", "userfaultfd",
    "keyctl", "add_key", "request_key", "init_module", "finit_module", "delete_module", "reboot",
    "swapon", "swapoff", "open_by_handle_at", "name_to_handle_at", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "personality", "acct", "settimeofday",
    "clock_settime", "adjtimex", "clock_adjtime", "quotactl", "syslog", "move_pages",
    "migrate_pages", "kcmp", "pidfd_getfd", "fsopen", "fsmount", "fspick", "move_mount",
    "open_tree", "mount_setattr", "iopl", "ioperm", "vhangup", "lookup_dcookie",
    "process_madvise", "ioprio_set", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
)
_CHILD_DENY = (
    "execve", "execveat", "pidfd_open", "pidfd_send_signal", "mkdir", "mkdirat", "rmdir",
    "unlink", "unlinkat", "rename", "renameat", "renameat2", "link", "linkat", "symlink",
    "symlinkat", "mknod", "mknodat", "chmod", "fchmod", "fchmodat", "fchmodat2", "chown",
    "fchown", "lchown", "fchownat", "truncate", "utime", "utimes", "utimensat", "futimesat",
    "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
)
_CLONE_THREAD = 0x00010000
_ONLY_SELF = ("prlimit64", "setpriority", "sched_setaffinity", "sched_setscheduler",
              "sched_setparam", "sched_setattr")
"""Calls that may name another process; allowed only with pid 0 (this process)."""
_NAMESPACE_FLAGS = 0x7E020000  # CLONE_NEW{NS,CGROUP,UTS,IPC,USER,PID,NET}

# Classic BPF opcodes and seccomp return values.
_LD_W_ABS = 0x20
_JEQ, _JGT, _JGE, _JSET = 0x15, 0x25, 0x35, 0x45
_RET = 0x06
_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_USER_NOTIF = 0x7FC00000
_X32_BIT = 0x40000000
_OFFSET_NR, _OFFSET_ARCH = 0, 4
_WHO_ARG = {"setpriority": 1}  # setpriority(which, who, prio); the others take pid first


def _arg(index: int) -> int:
    """Offset of the low 32 bits of syscall argument `index` (little-endian)."""
    return 16 + 8 * index


class _Program:
    """A filter under construction; jumps refer to labels resolved by `assemble`."""

    def __init__(self) -> None:
        self.ops: list[tuple[int, int | str, int | str, int]] = []
        self.labels: dict[str, int] = {}
        self._count = 0

    def label(self, name: str) -> None:
        self.labels[name] = len(self.ops)

    def fresh(self) -> str:
        self._count += 1
        return f"L{self._count}"

    def load(self, offset: int) -> None:
        self.ops.append((_LD_W_ABS, 0, 0, offset))

    def jump(self, op: int, value: int, if_true: int | str, if_false: int | str) -> None:
        self.ops.append((op, if_true, if_false, value & 0xFFFFFFFF))

    def ret(self, value: int) -> None:
        self.ops.append((_RET, 0, 0, value))

    def _offset(self, target: int | str, position: int) -> int:
        if isinstance(target, int):
            return target
        distance = self.labels[target] - position - 1
        if not 0 <= distance <= 255:
            raise ValueError(f"jump to {target} out of range")
        return distance

    def assemble(self) -> bytes:
        return b"".join(
            struct.pack("HBBI", code, self._offset(jt, n), self._offset(jf, n), k)
            for n, (code, jt, jf, k) in enumerate(self.ops))


@dataclass(frozen=True, slots=True)
class _Flags:
    """Deny when any bit of `mask` is set in argument `arg` (or, with `require`,
    when none of them is)."""

    arg: int
    mask: int
    require: bool = False


@dataclass(frozen=True, slots=True)
class _Pid:
    """Walk `steps` over the low 32 bits of argument `arg`; `allow` decides the rest.

    A step is (op, value): allow_eq, deny_eq, deny_negative, allow_above.
    """

    arg: int
    steps: tuple[tuple[str, int], ...]
    allow: bool


Rule = Literal["deny", "enosys", "notify"] | _Flags | _Pid


def _build(rules: dict[str, Rule]) -> bytes | None:
    """Assemble a filter; None on an architecture without a syscall table."""
    machine = platform.machine()
    table = _SYSCALLS.get(machine)
    if table is None:
        return None
    program = _Program()
    program.load(_OFFSET_ARCH)
    program.jump(_JEQ, _ARCH[machine], 0, "DENY")
    program.load(_OFFSET_NR)
    if machine == "x86_64":  # the x32 ABI reaches the same calls under other numbers
        program.jump(_JGE, _X32_BIT, "DENY", 0)
    blocks: list[tuple[str, _Flags | _Pid]] = []
    for name, rule in sorted(rules.items()):
        if name not in table:
            continue
        if rule == "deny":
            program.jump(_JEQ, table[name], "DENY", 0)
        elif rule == "enosys":
            program.jump(_JEQ, table[name], "ENOSYS", 0)
        elif rule == "notify":
            program.jump(_JEQ, table[name], "NOTIFY", 0)
        else:
            label = program.fresh()
            program.jump(_JEQ, table[name], label, 0)
            blocks.append((label, rule))
    program.ret(_ALLOW)
    for label, rule in blocks:
        program.label(label)
        program.load(_arg(rule.arg))
        if isinstance(rule, _Flags):
            if rule.require:
                program.jump(_JSET, rule.mask, "ALLOW", "DENY")
            else:
                program.jump(_JSET, rule.mask, "DENY", "ALLOW")
            continue
        for op, value in rule.steps:
            if op == "deny_eq":
                program.jump(_JEQ, value, "DENY", 0)
            elif op == "allow_eq":
                program.jump(_JEQ, value, "ALLOW", 0)
            elif op == "deny_negative":
                program.jump(_JSET, 0x80000000, "DENY", 0)
            else:  # allow_above
                program.jump(_JGT, value, "ALLOW", 0)
        program.ret(_ALLOW if rule.allow else _ERRNO | errno.EPERM)
    program.label("ALLOW")
    program.ret(_ALLOW)
    program.label("DENY")
    program.ret(_ERRNO | errno.EPERM)
    program.label("ENOSYS")
    program.ret(_ERRNO | errno.ENOSYS)
    program.label("NOTIFY")
    program.ret(_USER_NOTIF)
    return program.assemble()


def zygote_filter(*, protected: Iterable[int]) -> bytes | None:
    """The filter for the zygote and everything it forks.

    `protected` are pids that no signal may reach (the service, its process
    group, init); -1 (every process) is always refused.
    """
    steps: list[tuple[str, int]] = [("deny_eq", -1)]
    for pid in protected:
        if pid > 0:
            steps += [("deny_eq", pid), ("deny_eq", -pid)]
    rules: dict[str, Rule] = {name: "deny" for name in _ZYGOTE_DENY}
    rules["clone3"] = "enosys"
    rules["clone"] = _Flags(0, _NAMESPACE_FLAGS)
    for name in ("kill", "tkill", "tgkill", "pidfd_open"):
        rules[name] = _Pid(0, tuple(steps), allow=True)
    for name in _ONLY_SELF:
        rules[name] = _Pid(_WHO_ARG.get(name, 0), (("allow_eq", 0),), allow=False)
    return _build(rules)


def _child_rules(own_pid: int) -> dict[str, Rule]:
    group = (("allow_eq", 0), ("allow_eq", own_pid), ("allow_eq", -own_pid),
             ("deny_negative", 0), ("allow_above", own_pid))
    threads = (("allow_eq", own_pid), ("deny_negative", 0), ("allow_above", own_pid))
    rules: dict[str, Rule] = {name: "deny" for name in _CHILD_DENY}
    rules["kill"] = _Pid(0, group, allow=False)
    rules["tkill"] = _Pid(0, threads, allow=False)
    rules["tgkill"] = _Pid(0, threads, allow=False)
    rules["fork"] = rules["vfork"] = "deny"
    rules["clone"] = _Flags(0, _CLONE_THREAD, require=True)
    return rules


def child_filter(*, own_pid: int) -> bytes | None:
    """The filter added in a child.

    Besides exec and filesystem changes, it refuses new processes (fork,
    vfork, clone without CLONE_THREAD) while threads still work: a generated
    program has no use for a process it cannot exec or talk to through a pipe,
    and without new processes there is no fork bomb and no orphan to sweep.
    Signals may reach only the program itself, its group and later pids.
    """
    return _build(_child_rules(own_pid))


_WRITE_FLAGS = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000  # O_WRONLY O_RDWR O_CREAT O_TRUNC O_APPEND


def program_filter(*, own_pid: int, read_only_files: bool,
                   exec_fd: int | None = None) -> bytes | None:
    """The child filter for a native program (C++ binary, Node.js), installed before its exec.

    The same as `child_filter`, except for exec. With an exec gate below it
    (`exec_listener_filter`, the default), execve and execveat are left to
    the gate, which lets exactly one through. Without one, `exec_fd` names
    the descriptor the program is exec'd from: execveat is allowed on it
    only, which is weaker (an absolute path makes the kernel ignore the
    descriptor). With `read_only_files` (Node.js must open its own
    libraries, so its open-file limit is not zero) files may be opened for
    reading only: nothing is created, written or truncated anywhere.
    """
    rules = _child_rules(own_pid)
    del rules["execve"], rules["execveat"]
    if exec_fd is not None:
        rules["execve"] = "deny"
        rules["execveat"] = _Pid(0, (("allow_eq", exec_fd),), allow=False)
    if read_only_files:
        rules["open"] = _Flags(1, _WRITE_FLAGS)
        rules["openat"] = _Flags(2, _WRITE_FLAGS)
        rules["creat"] = "deny"
        rules["openat2"] = "enosys"  # its flags sit in a struct; callers fall back to openat
    return _build(rules)


def compile_filter(*, own_pid: int) -> bytes | None:
    """The filter added in a compiler process: it may exec, fork and write its files,
    but signal only its own processes (the zygote filter below it still holds)."""
    group = (("allow_eq", 0), ("allow_eq", own_pid), ("allow_eq", -own_pid),
             ("deny_negative", 0), ("allow_above", own_pid))
    return _build({"kill": _Pid(0, group, allow=False), "pidfd_open": "deny",
                   "pidfd_send_signal": "deny"})


def exec_listener_filter() -> bytes | None:
    """Every execve and execveat of this process and its children goes to a listener."""
    return _build({"execve": "notify", "execveat": "notify"})


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_SENTINEL = 0x7AB5C3D1
"""Stands for the child's pid in the template; no syscall number or mask equals it."""


def _k(value: int) -> bytes:
    return struct.pack("I", value & 0xFFFFFFFF)


class ChildFilter:
    """The child filter, built once in the zygote and installed cheaply in each child.

    Right after fork every object a process touches costs a copied page, so
    assembling the filter in the child costs several times what it does in
    the zygote. The zygote builds it with a sentinel for the pid and holds a
    buffer, the program header and prctl ready; a child only patches its pid
    into the bytes and makes two calls.
    """

    def __init__(self) -> None:
        self.template = child_filter(own_pid=_SENTINEL)
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._prctl = self._libc.prctl
        size = len(self.template) if self.template else 8
        self._buffer = ctypes.create_string_buffer(size)
        self._fprog = _SockFprog(size // 8, ctypes.cast(self._buffer, ctypes.c_void_p))
        self._header = ctypes.byref(self._fprog)

    def install(self, own_pid: int) -> bool:
        """Install the filter for this process (pid `own_pid`); False if refused."""
        if self.template is None:
            return False
        program = self.template.replace(_k(_SENTINEL), _k(own_pid)).replace(
            _k(-_SENTINEL), _k(-own_pid))
        ctypes.memmove(self._buffer, program, len(program))
        if self._prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return int(self._prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, self._header, 0, 0)) == 0


_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


def supported() -> bool:
    """Whether this architecture has a syscall table here."""
    return platform.machine() in _SYSCALLS


def _prepared(program: bytes) -> tuple[Any, Any, _SockFprog]:
    """libc with no_new_privs set (needed to filter without privilege), and the program."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS refused")
    buffer = ctypes.create_string_buffer(program)
    return libc, buffer, _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))


def install(program: bytes | None) -> bool:
    """Install a filter on this process (and its future children); False if refused."""
    if program is None:
        return False
    try:
        libc, _buffer, fprog = _prepared(program)
        return int(libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog),
                              0, 0)) == 0
    except (OSError, AttributeError, ValueError):
        return False


_SECCOMP_SET_MODE_FILTER = 1  # the seccomp() operation; prctl's mode number differs
_SECCOMP_FILTER_FLAG_NEW_LISTENER = 8


def install_listener(program: bytes | None) -> int | None:
    """Install a filter whose "notify" answers go to the returned descriptor; None if refused."""
    table = _SYSCALLS.get(platform.machine())
    if program is None or table is None:
        return None
    try:
        libc, _buffer, fprog = _prepared(program)
        fd = int(libc.syscall(table["seccomp"], _SECCOMP_SET_MODE_FILTER,
                              _SECCOMP_FILTER_FLAG_NEW_LISTENER, ctypes.byref(fprog)))
    except (OSError, AttributeError, ValueError):
        return None
    return fd if fd >= 0 else None
