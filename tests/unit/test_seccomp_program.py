"""The seccomp programs as bytes (pure): assembled, never installed here."""

import struct

import pytest

from verifier.sandbox.runner import seccomp

pytestmark = pytest.mark.skipif(not seccomp.supported(), reason="no syscall table here")


def instructions(program: bytes) -> list[tuple[int, int, int, int]]:
    return [struct.unpack("HBBI", program[n:n + 8]) for n in range(0, len(program), 8)]


def test_the_template_patched_equals_a_filter_built_for_that_pid():
    template = seccomp.ChildFilter().template
    for pid in (2, 1234, 4_194_303):
        patched = template.replace(seccomp._k(seccomp._SENTINEL), seccomp._k(pid)).replace(
            seccomp._k(-seccomp._SENTINEL), seccomp._k(-pid))
        assert patched == seccomp.child_filter(own_pid=pid)


def test_every_jump_lands_inside_the_program_and_it_ends_in_returns():
    for program in (seccomp.zygote_filter(protected=[1, 4242]), seccomp.child_filter(own_pid=7)):
        ops = instructions(program)
        for position, (code, jt, jf, _k) in enumerate(ops):
            if code & 0x07 == 0x05:  # a jump
                assert position + 1 + max(jt, jf) < len(ops)
        assert ops[-1][0] == 0x06


def test_denied_calls_are_in_the_program():
    table = seccomp._SYSCALLS[seccomp.platform.machine()]
    zygote = {k for _, _, _, k in instructions(seccomp.zygote_filter(protected=[1]))}
    child = {k for _, _, _, k in instructions(seccomp.child_filter(own_pid=99))}
    for name in ("socket", "ptrace", "mount", "bpf", "io_uring_setup", "unshare"):
        assert table[name] in zygote, name
    for name in ("execve", "unlinkat", "renameat2", "mkdirat", "fork"):
        if name in table:
            assert table[name] in child, name
