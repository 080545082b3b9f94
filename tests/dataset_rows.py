"""Small rows in the HumanEval, MBPP and APPS / TACO / LiveCodeBench formats.

Written by hand in each dataset's own shape (including its quirks: MBPP's
integer ids and CRLF code, APPS's JSON-in-a-string and wrapped outputs,
LiveCodeBench's one-JSON-value-per-line inputs and pickled private tests),
with a correct and a broken solution for each task.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

HUMANEVAL: list[dict[str, Any]] = [
    {
        "task_id": "Demo/0",
        "prompt": "from typing import List\n\n\ndef factorize(n: int) -> List[int]:\n"
                  "    \"\"\"Prime factors of n, smallest first.\"\"\"\n",
        "canonical_solution": "    out, p = [], 2\n    while n > 1:\n        while n % p == 0:\n"
                              "            out.append(p)\n            n //= p\n        p += 1\n"
                              "    return out\n",
        "test": "\n\nMETADATA = {'author': 'demo'}\n\n\ndef check(candidate):\n"
                "    assert candidate(2) == [2]\n    assert candidate(3 * 19) == [3, 19]\n"
                "    assert candidate(8) == [2, 2, 2]\n"
                "    assert candidate(2 ** 10) == [2] * 10\n"
                "    assert True, 'This prints if this assert fails'\n",
        "entry_point": "factorize",
    },
    {
        "task_id": "Demo/1",
        "prompt": "def mean(xs: list) -> float:\n    \"\"\"Arithmetic mean.\"\"\"\n",
        "canonical_solution": "    return sum(xs) / len(xs)\n",
        "test": "def check(candidate):\n    assert abs(candidate([1.0, 2.0, 3.0]) - 2.0) < 1e-6\n"
                "    assert candidate([4, 4]) == 4.0\n    assert candidate([-1, 1]) == 0\n"
                "    assert candidate([5]) is not None\n",
        "entry_point": "mean",
    },
    {
        "task_id": "Demo/2",
        "prompt": "def encode_shift(s: str):\n"
                  "    return ''.join(chr((ord(c) - 97 + 5) % 26 + 97) for c in s)\n\n\n"
                  "def decode_shift(s: str):\n    \"\"\"Undo encode_shift.\"\"\"\n",
        "canonical_solution": "    return ''.join(chr((ord(c) - 97 - 5) % 26 + 97) for c in s)\n",
        "test": "def check(candidate):\n    import random\n    rng = random.Random(0)\n"
                "    for _ in range(20):\n"
                "        s = ''.join(rng.choice('abcxyz') for _ in range(8))\n"
                "        assert candidate(encode_shift(s)) == s\n"
                "    assert candidate('fgh') == 'abc'\n",
        "entry_point": "decode_shift",
    },
]
HUMANEVAL_BROKEN = {
    "Demo/0": "def factorize(n):\n    return [n]\n",
    "Demo/1": "def mean(xs):\n    return sum(xs) / (len(xs) + 1)\n",
    "Demo/2": "def decode_shift(s):\n    return s\n",
}
# Right, yet without the helper the prompt gave: the suite's setup provides it.
HUMANEVAL_WITHOUT_HELPER = "def decode_shift(s):\n" \
                           "    return ''.join(chr((ord(c) - 97 - 5) % 26 + 97) for c in s)\n"

MBPP: list[dict[str, Any]] = [
    {
        "task_id": 11,
        "text": "Write a python function to remove first and last occurrence of a given "
                "character from the string.",
        "code": "def remove_Occ(s,ch): \r\n    for i in range(len(s)): \r\n"
                "        if (s[i] == ch): \r\n            s = s[0 : i] + s[i + 1:] \r\n"
                "            break\r\n    for i in range(len(s) - 1,-1,-1):  \r\n"
                "        if (s[i] == ch): \r\n            s = s[0 : i] + s[i + 1:] \r\n"
                "            break\r\n    return s ",
        "test_list": ['assert remove_Occ("hello","l") == "heo"',
                      'assert remove_Occ("abcda","a") == "bcd"',
                      'assert remove_Occ("PHP","P") == "H"'],
        "test_setup_code": "",
        "challenge_test_list": ['assert remove_Occ("hellolloll","l") == "helollol"'],
    },
    {
        "task_id": 12,
        "text": "Write a function to find the area of a circle of radius r.",
        "code": "import math\ndef circle_area(r):\n    return math.pi * r * r\n",
        "test_list": ["assert math.isclose(circle_area(1), 3.141592653589793)",
                      "assert circle_area(0) == 0",
                      "assert circle_area(r=2) > 12.5"],
        "test_setup_code": "import math",
        "challenge_test_list": [],
    },
]
MBPP_BROKEN = {
    "11": "def remove_Occ(s, ch):\n    return s.replace(ch, '')\n",
    "12": "def circle_area(r):\n    return 3 * r * r\n",
}


def _pickled_tests() -> str:
    """What LiveCodeBench ships as private tests: base64(zlib(pickle)). Never unpickled."""
    return base64.b64encode(zlib.compress(b"\x80\x04not really a pickle")).decode()


APPS: list[dict[str, Any]] = [
    {
        "problem_id": 4001,
        "question": "Read two integers a and b on one line and print their sum.",
        "solutions": json.dumps(["a, b = map(int, input().split())\nprint(a + b)\n"]),
        "input_output": json.dumps({"inputs": ["1 2\n", "5 7\n", "-3 3\n"],
                                    "outputs": ["3\n", "12\n", "0\n"]}),
        "difficulty": "introductory",
        "url": "https://example.org/problems/4001",
        "starter_code": "",
    },
    {
        "problem_id": 4002,
        "question": "Given two lists of equal length, return their element-wise sums.",
        "solutions": json.dumps(["def add_lists(a, b):\n"
                                 "    return [x + y for x, y in zip(a, b)]\n"]),
        "input_output": json.dumps({"fn_name": "add_lists",
                                    "inputs": [[[1, 2], [3, 4]], [[], []], [[10], [-10]]],
                                    "outputs": [[[4, 6]], [[]], [[0]]]}),
        "difficulty": "interview",
        "source": "codewars",
        "license": "CC BY 4.0",
        "starter_code": "def add_lists(a, b):\n\t",
    },
    {
        "question_id": "lcb-3003",
        "question_title": "Sum above k",
        "question_content": "Return the sum of the numbers in nums greater than k.",
        "platform": "leetcode",
        "starter_code": "class Solution:\n    def sumAbove(self, nums: List[int], k: int) -> int:\n"
                        "        ",
        "public_test_cases": json.dumps([
            {"input": "[1, 2, 3]\n1", "output": "5", "testtype": "functional"},
            {"input": "[5, 5]\n9", "output": "0", "testtype": "functional"}]),
        "private_test_cases": _pickled_tests(),
        "metadata": json.dumps({"func_name": "sumAbove"}),
    },
]
APPS_BROKEN = {
    "4001": "a, b = map(int, input().split())\nprint(a - b)\n",
    "4002": "def add_lists(a, b):\n    return tuple(x + y for x, y in zip(a, b))\n",
    "lcb-3003": "class Solution:\n    def sumAbove(self, nums, k):\n        return sum(nums)\n",
}
LCB_SOLUTION = "from typing import List\n\nclass Solution:\n" \
               "    def sumAbove(self, nums: List[int], k: int) -> int:\n" \
               "        return sum(x for x in nums if x > k)\n"


def jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)
