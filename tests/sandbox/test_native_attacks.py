"""Compiled and Node.js programs that attack the sandbox, one test per attack.

Most probes are a one-test inline suite whose expected output is what the
sandbox must force (say `EPERM`): the sample scores 1.0 only if the attack
was refused in exactly that way, and any other outcome fails the test.
"""

import pytest

from tests.helpers import TESTCASES
from tests.sandbox.conftest import verdicts

SUITE_FILE = TESTCASES / "cpp" / "sum_two.json"
SUITE_TEXT = SUITE_FILE.read_text()

C_ERRNO = """#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
static void report(long result) {{ puts(result < 0 ? strerrorname_np(errno) : "ALLOWED"); }}
int main(int argc, char **argv) {{
    char *args[] = {{(char *)"sh", (char *)"-c", (char *)"echo escaped", nullptr}};
    char *env[] = {{nullptr}};
    (void)args; (void)env; (void)argc; (void)argv;
    {action}
}}
"""


def forced(attack, code, expect, *, language="cpp"):
    """Score `code` against one test whose expected output is `expect`; the result."""
    label = "cpp" if language == "cpp" else "javascript"
    # A generous time limit: a probe answers at once, and a loaded machine must not
    # turn a refusal into a timeout.
    _, result, _ = attack(code, "probe/native", label=label, language=language,
                          limits={"timeout_s": 5}, tests=[{"stdin": "", "stdout": expect}])
    assert result.reward == 1.0, result.detail()
    return result


@pytest.mark.parametrize(("action", "expect"), [
    ("report(execve(\"/bin/sh\", args, env));", "EPERM"),
    # An absolute path makes the kernel ignore execveat's descriptor: only the
    # exec gate stops this one (a rule on the descriptor would let it through).
    ("report(syscall(SYS_execveat, 3, \"/bin/sh\", args, env, 0x1000));", "EPERM"),
    ("report(syscall(SYS_execveat, 3, \"\", argv, env, 0x1000));", "EPERM"),
    ("report(fork());", "EPERM"),
    ("report(socket(AF_INET, SOCK_STREAM, 0));", "EPERM"),
    ("report(open(\"/etc/hostname\", O_RDONLY));", "EMFILE"),
    ("report(mkdir(\"/tmp/verifier-native-probe\", 0777));", "EPERM"),
    ("report(kill(getppid(), SIGKILL));", "EPERM"),
    ("report(kill(-1, SIGKILL));", "EPERM"),
])
def test_cpp_program_is_refused(attack, action, expect):
    forced(attack, C_ERRNO.format(action=action), expect + "\n")


def test_cpp_fork_bomb_is_contained(attack):
    code = C_ERRNO.format(action="long n = 0; while (n < 100000 && fork() >= 0) n++; "
                                 "printf(\"%ld\\n\", n);")
    forced(attack, code, "0\n")


@pytest.mark.parametrize("code", [
    f'#include "{SUITE_FILE}"\nint main() {{}}\n',
    '#define SUITE "' + str(SUITE_FILE) + '"\n#include SUITE\nint main() {}\n',
    f'asm(".incbin \\"{SUITE_FILE}\\"");\nint main() {{}}\n',
])
def test_a_source_that_names_a_suite_file_is_refused_before_compiling(attack, code):
    entry, result, _ = attack(code, "cpp/sum_two", label="cpp")
    assert entry["aggregate_reward_score"] == -0.75
    assert "refused before compiling" in result.error


def test_an_assembler_include_the_source_check_misses_cannot_read_a_suite(attack):
    # The section name reaches the assembler verbatim: a newline in it starts an
    # .incbin the source never spells out. The compiler must not see the file.
    code = ('#include <cstdio>\n#define S2(x) #x\n#define S(x) S2(x)\n#define J(a, b) a##b\n'
            '__attribute__((used, section(".data\\n" S(.J(inc, bin)) " \\"'
            + str(SUITE_FILE) + '\\"\\n#"))) char blob[1];\n'
            'int main() { fputs(blob, stdout); }\n')
    entry, result, _ = attack(code, "cpp/sum_two", label="cpp")
    assert entry["aggregate_reward_score"] == -0.75, result.detail()
    assert "compilation failed" in result.error
    assert '"stdout"' not in repr(result.detail()) and SUITE_TEXT[:40] not in repr(result)


@pytest.mark.parametrize(("code", "verdict"), [
    ("int main() { for (volatile long i = 0;; i++); }\n", "timeout"),
    ("#include <cstdio>\nint main() { for (;;) fputs(\"flood flood\\n\", stdout); }\n",
     "output_limit"),
    ("int main() { volatile int *p = nullptr; return *p; }\n", "error"),
    ("#include <vector>\nint main() { std::vector<std::vector<char>> hog;"
     " for (;;) hog.emplace_back(1 << 24, 1); }\n", "error"),
])
def test_cpp_exhaustion_fails_each_test_on_its_own(attack, code, verdict):
    entry, result, elapsed = attack(code, "cpp/sum_two", label="cpp")
    assert entry["aggregate_reward_score"] == -0.5
    assert set(verdicts(result)) <= {verdict, "not_run"} and verdicts(result)[0] == verdict
    assert elapsed < 10


def test_cpp_thread_bomb_is_contained(attack):
    code = ("#include <thread>\n#include <vector>\n#include <chrono>\n"
            "int main() { std::vector<std::thread> t; for (int i = 0; i < 100000; i++)"
            " t.emplace_back([] { std::this_thread::sleep_for(std::chrono::seconds(60)); }); }\n")
    entry, result, elapsed = attack(code, "cpp/sum_two", label="cpp")
    assert entry["aggregate_reward_score"] == -0.5
    assert set(verdicts(result)) <= {"error", "timeout", "not_run"}
    assert elapsed < 10


JS_ERROR = "try {{ {action}; console.log('ALLOWED') }} catch (e) {{ console.log(e.code) }}"


@pytest.mark.parametrize(("action", "expect"), [
    ("require('child_process').execSync('echo escaped')", "EPERM"),
    ("require('child_process').execFileSync('/bin/sh', ['-c', 'true'])", "EPERM"),
    ("require('fs').writeFileSync('/tmp/verifier-node-probe', 'x')", "EPERM"),
    ("require('fs').writeFileSync('prog.js', 'x')", "EPERM"),
    ("require('fs').mkdirSync('/tmp/verifier-node-probe-dir')", "EPERM"),
    ("require('fs').readFileSync('/proc/self/environ')", "EACCES"),
    ("process.kill(process.ppid, 'SIGKILL')", "EPERM"),
])
def test_node_program_is_refused(attack, action, expect):
    forced(attack, JS_ERROR.format(action=action), expect + "\n", language="javascript")


def test_node_cannot_read_a_stored_suite(attack):
    # Landlock refuses it (EACCES); as root the mount namespace may hide it first
    # (ENOENT, when the suites live under /tmp, where the zygote mounts a fresh one).
    code = (f"try {{ require('fs').readFileSync({str(SUITE_FILE)!r}); console.log('ALLOWED') }}"
            " catch (e) {\n  const refused = ['EACCES', 'ENOENT'].includes(e.code);\n"
            "  console.log(refused ? 'REFUSED' : e.code);\n}")
    forced(attack, code, "REFUSED\n", language="javascript")


def test_node_has_no_network(attack):
    code = ("const s = require('net').connect(9001, '127.0.0.1');\n"
            "s.on('error', e => console.log(e.code));\n"
            "s.on('connect', () => console.log('ALLOWED'));")
    forced(attack, code, "EPERM\n", language="javascript")


def test_node_sees_an_empty_environment(attack):
    forced(attack, "console.log(Object.keys(process.env).length)", "0\n", language="javascript")


@pytest.mark.parametrize(("code", "verdict"), [
    ("for (;;) {}", "timeout"),
    ("const s = 'flood '.repeat(10000); for (;;) process.stdout.write(s);", "output_limit"),
])
def test_node_exhaustion_fails_each_test_on_its_own(attack, code, verdict):
    entry, result, elapsed = attack(code, "js/sum_two", label="javascript")
    assert entry["aggregate_reward_score"] == -0.5
    assert verdicts(result)[0] == verdict
    assert elapsed < 15


def test_node_memory_bomb_meets_the_heap_limit(attack):
    code = "const hog = []; for (;;) hog.push(new Array(1e6).fill(7));"
    _, result, elapsed = attack(code, "probe/node-memory", label="javascript",
                                language="javascript", limits={"memory_mb": 64},
                                tests=[{"stdin": "", "stdout": ""}])
    assert verdicts(result) == ["error"]
    assert "SIGABRT" in result.verdicts[0].detail  # V8 gives up at its heap limit
    assert elapsed < 10
