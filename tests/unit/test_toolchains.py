"""What a native source may not do before it reaches the compiler (pure)."""

import pytest

from verifier.sandbox.base import Job, TestInput
from verifier.sandbox.runner.toolchains import compile_argv, node_argv, refusal
from verifier.settings import Limits


@pytest.mark.parametrize("code", [
    "#include <bits/stdc++.h>\nint main() {}\n",
    '#include "local.h"\n#include <sys/types.h>\n',
    'int main() { puts("asm in a string is only text"); }\n',
    "// asm(...) in a comment\n/* __asm__ */ int asm_count;\n",
])
def test_ordinary_sources_pass(code):
    assert refusal("cpp", code) is None


@pytest.mark.parametrize(("code", "reason"), [
    ('#include "/srv/suites/cpp/sum_two.json"', "absolute or parent path"),
    ("#include <../../etc/passwd>", "absolute or parent path"),
    ('%:include "/etc/hostname"', "absolute or parent path"),        # a digraph
    ('#inc\\\nlude "/etc/hostname"', "absolute or parent path"),    # a line splice
    ('#define F "/etc/hostname"\n#include F', "computed name"),
    ("#include_next <stdio.h>", "include_next"),
    ('asm(".incbin \\"/etc/hostname\\"");', "inline assembly"),
    ('const char *p = ".in" "cbin"; __asm__(p);', "inline assembly"),
    ('__attribute__((section(".data\\n.incbin \\"x\\"\\n#"))) char b;', "inline assembly"),
])
def test_sources_that_name_other_files_are_refused(code, reason):
    assert reason in refusal("cpp", code)


def test_javascript_sources_are_not_checked():
    assert refusal("javascript", "require('fs').readFileSync('/etc/hostname')") is None


def test_tool_command_lines():
    argv = compile_argv("/usr/bin/g++", "prog.cpp", "prog")
    assert argv[0] == "/usr/bin/g++" and "-static" in argv and argv[-3:] == ["-o", "prog",
                                                                            "prog.cpp"]
    assert "--max-old-space-size=256" in node_argv("/usr/bin/node", "prog.js", memory_mb=256)


def test_native_wire_limits_put_the_zygote_deadline_behind_the_driver():
    job = Job(code="int main(){}", language="cpp",
              limits=Limits(timeout_s=1.5, compile_timeout_s=8.0),
              tests=(TestInput(index=0, kind="stdio", stdin=""),))
    limits = job.to_wire(budget_s=30)["limits"]
    assert limits["run_timeout_s"] == 1.5 and limits["compile_timeout_s"] == 8.0
    assert limits["timeout_s"] > 8.0
    python = Job(code="", limits=Limits(timeout_s=1.5), tests=job.tests)
    assert python.to_wire(budget_s=30)["limits"]["timeout_s"] == 1.5
