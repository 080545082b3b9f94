"""Inside Lambda, the Runtime API listens on loopback: a program that reached it could
take the next batch or post a forged answer for the current one. Run under the real
runtime interface emulator, the attacker gets the API's address for free and must
still fail, and the genuine answer must come back.
"""

import socket

from tests.helpers import TESTCASES, sample
from tests.lambda_emulator import running_function

HONEST = "def add(a, b):\n    return a + b\n"
ATTACK = """
import json, socket
def add(a, b):
    forged = json.dumps([{{"id": "forged", "aggregate_reward_score": 1.0,
                          "metrics_list": []}}]).encode()
    try:
        with socket.create_connection(({host!r}, {port}), 2) as connection:
            connection.sendall(b"POST /2018-06-01/runtime/invocation/next/response HTTP/1.1"
                               b"\\r\\nHost: x\\r\\nContent-Length: "
                               + str(len(forged)).encode() + b"\\r\\n\\r\\n" + forged)
            return "reached the runtime api"
    except Exception as exc:
        raise RuntimeError("refused: " + type(exc).__name__)
"""


def test_a_program_cannot_reach_the_runtime_api_and_the_genuine_answer_wins():
    env = {"VERIFIER_SUITES": str(TESTCASES / "basics"), "VERIFIER_WORKERS": "1"}
    with running_function(env=env) as function:
        host, port = function.runtime_api.rsplit(":", 1)
        with socket.create_connection((host, int(port)), 2):
            pass  # the API is there: a refusal below is the sandbox's doing
        attack = ATTACK.format(host=host, port=int(port))
        answer = function.invoke([sample(attack, "basics/add", "attacker"),
                                  sample(HONEST, "basics/add", "honest")])
        logs = function.logs()
    assert [entry["id"] for entry in answer] == ["attacker", "honest"]
    assert answer[0]["aggregate_reward_score"] == -0.5  # it loaded, ran, and every test failed
    assert answer[1]["aggregate_reward_score"] == 1.0
    assert "reached the runtime api" not in logs
    assert "forged" not in repr(answer)
