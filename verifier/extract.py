"""Pull the program out of a model response (pure).

In order:

1. Reasoning is not the answer: text up to the last `</think>` is dropped,
   and a response whose `<think>` never closes has no answer at all.
2. `<|begin_of_solution|> ... <|end_of_solution|>`: the last such span
   becomes the text searched below.
3. Fenced blocks (``` or ~~~, labelled for the language or unlabelled).
   Among several, the last block that defines the entry point wins; without
   one, the last labelled block that parses, then the last unlabelled one
   that parses, then the last block. An unclosed final fence (a truncated
   response) counts, with a lower format score.
4. Fallback, for responses without fences (Python only): the whole text if it
   parses and holds a statement (def, class, import, assignment, call...);
   otherwise the text from the first line that starts a definition or import
   up to the longest prefix that parses.

`format` is 1.0 for a closed fence or solution tags, 0.5 for an unclosed
fence or the fallback, 0.0 when no code was found.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

__all__ = ["Extraction", "extract_code"]

_LABELS = {
    "python": frozenset({"python", "py", "python3", "py3"}),
    "cpp": frozenset({"cpp", "c++", "cc", "cxx", "c"}),
    "javascript": frozenset({"javascript", "js", "node", "nodejs", "mjs"}),
}
_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<label>[^\s`{]*)")
_SOLUTION = re.compile(r"<\|begin_of_solution\|>(.*?)(?:<\|end_of_solution\|>|\Z)", re.DOTALL)
_DEFINITION = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)", re.MULTILINE)
_CODE_START = re.compile(r"^(?:def |async def |class |import |from \S+ import |@\w)")
_MAX_TRIM = 40
_MAX_FALLBACK_CHARS = 64 * 1024


@dataclass(frozen=True, slots=True)
class Extraction:
    """The code found in a response, and how it was found."""

    code: str | None
    format: float
    method: str
    blocks: int = 0


@dataclass(frozen=True, slots=True)
class _Block:
    label: str
    body: str
    closed: bool


def _fenced_blocks(text: str) -> list[_Block]:
    lines = text.split("\n")
    blocks: list[_Block] = []
    i = 0
    while i < len(lines):
        opening = _OPEN.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence = opening["fence"]
        body: list[str] = []
        closed = False
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                closed = True
                break
            body.append(lines[j])
            j += 1
        code = textwrap.dedent("\n".join(body)).strip("\n") + "\n"
        blocks.append(_Block(opening["label"].lower(), code, closed))
        i = j + 1
    return blocks


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def _defines(code: str, name: str) -> bool:
    return name in _DEFINITION.findall(code)


def _choose(blocks: list[_Block], language: str, entry_point: str | None) -> _Block | None:
    labels = _LABELS.get(language, frozenset({language}))
    usable = [b for b in blocks if (b.label in labels or b.label == "") and b.body.strip()]
    # An unclosed block is only a truncated answer when it is the last one.
    usable = [b for n, b in enumerate(usable) if b.closed or n == len(usable) - 1]
    if not usable:
        return None
    if entry_point:
        defining = [b for b in usable if _defines(b.body, entry_point)]
        if defining:
            return defining[-1]
    if language == "python":
        for with_label in (True, False):
            parsing = [b for b in usable if (b.label != "") is with_label and _parses(b.body)]
            if parsing:
                return parsing[-1]
    labelled = [b for b in usable if b.label != ""]
    return (labelled or usable)[-1]


def _looks_like_code(tree: ast.Module) -> bool:
    for node in tree.body:
        if not isinstance(node, ast.Expr):
            return True
        if isinstance(node.value, ast.Call):
            return True
    return False


def _fallback(text: str, entry_point: str | None) -> str | None:
    if len(text) > _MAX_FALLBACK_CHARS:  # each trim below parses the text again
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        tree = None
    if tree is not None and _looks_like_code(tree):
        return text.strip("\n") + "\n"
    lines = text.split("\n")
    start = next((n for n, line in enumerate(lines) if _CODE_START.match(line)), None)
    if start is None:
        return None
    tail = lines[start:]
    for end in range(len(tail), max(0, len(tail) - _MAX_TRIM), -1):
        code = "\n".join(tail[:end]).strip("\n") + "\n"
        if _parses(code) and (entry_point is None or _defines(code, entry_point)):
            return code
    return None


def extract_code(text: str, *, language: str = "python",
                 entry_point: str | None = None) -> Extraction:
    """Find the program in `text`.

    >>> extract_code("Here:\\n```python\\nprint(1)\\n```\\n").code
    'print(1)\\n'
    """
    text = text.replace("\r\n", "\n")
    if "</think>" in text:
        text = text.rsplit("</think>", 1)[1]
    elif "<think>" in text:
        return Extraction(None, 0.0, "unclosed_think")
    tagged = _SOLUTION.findall(text)
    if tagged:
        text = tagged[-1]
    blocks = _fenced_blocks(text)
    chosen = _choose(blocks, language, entry_point)
    if chosen is not None:
        if chosen.closed:
            return Extraction(chosen.body, 1.0, "fence", len(blocks))
        return Extraction(chosen.body, 0.5, "unclosed_fence", len(blocks))
    if tagged and text.strip() and not blocks:
        return Extraction(text.strip("\n") + "\n", 1.0, "solution_tags")
    if language == "python" and not blocks:
        code = _fallback(text, entry_point)
        if code is not None:
            return Extraction(code, 0.5, "bare")
    return Extraction(None, 0.0, "none", len(blocks))
