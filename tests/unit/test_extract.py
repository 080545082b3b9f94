from verifier.extract import extract_code


def test_python_fence():
    got = extract_code("Sure:\n```python\ndef f():\n    return 1\n```\nDone.")
    assert got.code == "def f():\n    return 1\n"
    assert got.format == 1.0
    assert got.method == "fence"


def test_py_and_unlabelled_fences_and_tildes():
    assert extract_code("```py\nx = 1\n```").code == "x = 1\n"
    assert extract_code("```\nx = 2\n```").code == "x = 2\n"
    assert extract_code("~~~python\nx = 3\n~~~").code == "x = 3\n"


def test_other_languages_are_ignored():
    text = "```bash\npip install x\n```\n```python\nprint(1)\n```\n```text\noutput\n```"
    assert extract_code(text).code == "print(1)\n"


def test_last_block_defining_the_entry_point_wins():
    text = ("```python\ndef solve(x):\n    return 0\n```\n"
            "Usage:\n```python\nprint(solve(3))\n```\n"
            "Better:\n```python\ndef solve(x):\n    return x\n```\n"
            "```python\nassert solve(1) == 1\n```")
    got = extract_code(text, entry_point="solve")
    assert got.code == "def solve(x):\n    return x\n"
    assert got.blocks == 4


def test_without_entry_point_the_last_parsing_labelled_block_wins():
    text = "```python\nprint(1)\n```\n```python\nthis isn't python\n```\n```\nprint(3)\n```"
    assert extract_code(text).code == "print(1)\n"


def test_indented_fence_is_dedented():
    text = "1. Code:\n    ```python\n    def f():\n        return 2\n    ```"
    assert extract_code(text).code == "def f():\n    return 2\n"


def test_unclosed_final_fence_counts_with_lower_format():
    got = extract_code("Here:\n```python\ndef f():\n    return 1\n")
    assert got.code == "def f():\n    return 1\n"
    assert got.format == 0.5
    assert got.method == "unclosed_fence"


def test_solution_tags_with_and_without_fences():
    inner = "<|begin_of_solution|>\n```python\nprint(5)\n```\n<|end_of_solution|>"
    assert extract_code("thinking...\n" + inner).code == "print(5)\n"
    bare = extract_code("<|begin_of_solution|>\nprint(6)\n<|end_of_solution|>")
    assert bare.code == "print(6)\n"
    assert bare.format == 1.0


def test_reasoning_is_not_the_answer():
    text = "<think>\n```python\nprint('draft')\n```\n</think>\n```python\nprint('final')\n```"
    assert extract_code(text).code == "print('final')\n"
    assert extract_code("<think>\n```python\nprint('draft')\n```\n").code is None


def test_fallback_takes_a_bare_program():
    got = extract_code("def f(x):\n    return x + 1\n")
    assert got.code == "def f(x):\n    return x + 1\n"
    assert got.format == 0.5
    assert got.method == "bare"


def test_fallback_cuts_prose_around_code():
    text = "The answer is below.\ndef f(x):\n    return x * 2\nThis doubles x."
    assert extract_code(text, entry_point="f").code == "def f(x):\n    return x * 2\n"


def test_prose_is_not_code():
    for text in ["I cannot solve this.", "42", "", "Hello", "The answer: yes."]:
        got = extract_code(text)
        assert got.code is None
        assert got.format == 0.0


def test_crlf_responses():
    assert extract_code("```python\r\nprint(1)\r\n```\r\n").code == "print(1)\n"


def test_language_labels_for_cpp():
    text = "```python\nprint(1)\n```\n```cpp\nint main() {}\n```"
    assert extract_code(text, language="cpp").code == "int main() {}\n"
