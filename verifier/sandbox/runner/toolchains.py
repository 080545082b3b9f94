"""The native languages: where their tools live, how they are invoked, what a source may not do.

A C++ program is compiled once per job with g++ into a static binary (so
its exec needs no library and no file descriptor); a JavaScript program is
run by Node.js. Both are judged only on stdin/stdout tests, each test in a
fresh process. Tools are looked up in fixed system folders, never through
PATH: the zygote's environment is empty on purpose.

`refusal` is a speed bump, not a wall: it refuses C++ sources that name a
file by an absolute or parent path in an include, compute an include from a
macro, or use inline assembly (`.incbin` would embed any readable file, say a
stored suite, into the binary). Macros, section-name injection and the like
can still reach the assembler; the wall is that the compiler cannot read the
suites at all (see SECURITY.md): in a container they are not there, as root
they are hidden by the mount namespace, and elsewhere Landlock confines the
compiler to the system folders where the kernel has it.
"""

from __future__ import annotations

import math
import os
import re

__all__ = [
    "COMPILE_FILE_MB",
    "COMPILE_MEMORY_MB",
    "NATIVE",
    "NODE_RESERVE_MB",
    "SYSTEM_DIRS",
    "available",
    "compile_argv",
    "find",
    "node_argv",
    "refusal",
]

NATIVE = ("cpp", "javascript")
_BIN_DIRS = ("/usr/local/bin", "/usr/bin", "/bin")
_TOOLS = {"cpp": ("g++",), "javascript": ("node", "nodejs")}
SYSTEM_DIRS = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc")
"""What a compiler or Node.js may read (and exec) under Landlock, besides its work folder."""
COMPILE_MEMORY_MB = 1536
"""Address space of the compiler: cc1plus on a heavy header needs a few hundred MB."""
COMPILE_FILE_MB = 256
"""Largest file the compiler may write (objects, the static binary)."""
NODE_RESERVE_MB = 1024
"""Address space Node.js reserves beyond its heap (V8's code range and cages); it
never touches most of it, so the heap limit, not this, bounds a program's memory."""
_CPP_FLAGS = ("-std=gnu++17", "-O2", "-pipe", "-static", "-w", "-fmax-errors=3")


def find(language: str) -> str | None:
    """The tool (compiler or interpreter) for `language` on this machine, or None."""
    for name in _TOOLS.get(language, ()):
        for folder in _BIN_DIRS:
            path = os.path.join(folder, name)
            if os.access(path, os.X_OK):
                return path
    return None


def available() -> list[str]:
    """Languages this machine can run: Python always, the others where their tool exists."""
    return ["python", *(language for language in NATIVE if find(language) is not None)]


def compile_argv(compiler: str, source: str, output: str) -> list[str]:
    """g++ on `source`, linked statically into `output`."""
    return [compiler, *_CPP_FLAGS, "-o", output, source]


def node_argv(node: str, script: str, *, memory_mb: int) -> list[str]:
    """Node.js on `script`, its heap bounded by `memory_mb` and one helper thread for V8."""
    return [node, f"--max-old-space-size={max(16, memory_mb)}", "--v8-pool-size=1", script]


def cpu_seconds(wall_s: float) -> int:
    """A CPU-time limit for a process with `wall_s` of wall-clock time: a backstop only."""
    return math.ceil(wall_s) + 1


# Line splices first (a backslash before a newline joins lines), digraphs next.
_SPLICE = re.compile(r"\\\r?\n")
_DIRECTIVE = re.compile(r"^[ \t]*(?:#|%:)[ \t]*(include_next|include|import|embed)\b[ \t]*(.*)$",
                        re.MULTILINE)
_HEADER = re.compile(r'^(?:<([^<>\n]*)>|"([^"\n]*)")')
_ASM = re.compile(r"\b(?:__asm__|__asm|asm)\b")
_ASSEMBLER_FILE = re.compile(r"\.(?:incbin|include)\b")
_LEXEMES = re.compile(
    r"//[^\n]*"                    # a line comment
    r"|/\*.*?(?:\*/|\Z)"          # a block comment
    r'|"(?:\\.|[^"\\\n])*"'     # a string literal
    r"|'(?:\\.|[^'\\\n])*'",    # a character literal
    re.DOTALL)


def _code_only(text: str) -> str:
    """`text` without comments and string or character literals (each left as a space)."""
    return _LEXEMES.sub(" ", text)


def _bad_path(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or ":" in name


def refusal(language: str, code: str) -> str | None:
    """Why `code` is refused before compiling, or None; pure and cheap."""
    if language != "cpp":
        return None
    text = _SPLICE.sub("", code)
    for match in _DIRECTIVE.finditer(text):
        directive, operand = match.group(1), match.group(2)
        header = _HEADER.match(operand)
        if header is None:
            return f"#{directive} of a computed name is not allowed"
        if _bad_path(header.group(1) or header.group(2) or ""):
            return f"#{directive} of an absolute or parent path is not allowed"
        if directive != "include":
            return f"#{directive} is not allowed"
    if _ASM.search(_code_only(text)) or _ASSEMBLER_FILE.search(text):
        return "inline assembly is not allowed"
    return None
