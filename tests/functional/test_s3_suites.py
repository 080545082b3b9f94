"""Suites loaded from S3 through a real S3-compatible endpoint (moto's server) and real boto3."""

from __future__ import annotations

import http.client
import http.server
import threading
import urllib.parse
from collections.abc import Iterator

import pytest

from tests.helpers import TESTCASES
from tests.s3_server import DUMMY_ENV, REGION, S3Endpoint, s3_endpoint
from verifier.aws import RetryPolicy, make_client
from verifier.errors import SuiteError, SuiteSourceError
from verifier.suite_sources import S3Options, load_s3_suites, load_suite_sources
from verifier.suites import load_suites

FAST = S3Options(retry=RetryPolicy(attempts=3, initial_wait_s=0.01, max_wait_s=0.05))
DOUBLE = {"task_id": "s3only/double", "entry_point": "double",
          "tests": [{"args": [2], "expect": 4}]}


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Endpoint]:
    with s3_endpoint() as endpoint:
        endpoint.client.create_bucket(Bucket="suites")
        endpoint.upload_folder(TESTCASES, bucket="suites", prefix="v1/")
        endpoint.put_json("suites", "extra/double.json", DOUBLE)
        endpoint.client.put_object(Bucket="suites", Key="extra/README.txt", Body=b"not a suite")
        endpoint.client.put_object(Bucket="suites", Key="bad/broken.json", Body=b"{not json")
        yield endpoint


class Front:
    """An HTTP front to the S3 endpoint that answers the first `failures` requests itself."""

    def __init__(self, upstream: str, *, failures: int, status: int, code: str) -> None:
        self.requests = 0
        target = urllib.parse.urlsplit(upstream)
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                front.requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if front.requests <= failures:
                    error = (f"<?xml version='1.0'?><Error><Code>{code}</Code>"
                             f"<Message>from the test front</Message></Error>").encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(error)))
                    self.end_headers()
                    self.wfile.write(error)
                    return
                upstream_conn = http.client.HTTPConnection(target.hostname, target.port,
                                                           timeout=30)
                upstream_conn.request(self.command, self.path, body=body,
                                      headers=dict(self.headers))
                answer = upstream_conn.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in {"transfer-encoding", "connection", "content-length"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream_conn.close()

            do_GET = do_PUT = do_HEAD = do_POST = _any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Front:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service_client(monkeypatch):
    """The client the service itself makes (botocore retries off), with dummy credentials."""
    for name, value in DUMMY_ENV.items():
        monkeypatch.setenv(name, value)

    def make(url: str):
        return make_client("s3", endpoint_url=url, region=REGION)
    return make


def test_suites_from_s3_are_the_local_suites(s3):
    remote = load_suite_sources(["s3://suites/v1/"], s3_client=s3.client)
    local = load_suites([TESTCASES])
    assert sorted(remote) == sorted(local)
    for task_id, suite in local.items():
        assert remote[task_id].fingerprint == suite.fingerprint
        assert remote[task_id].source.startswith("s3://suites/v1/")


def test_s3_and_local_locations_mix_and_only_json_objects_count(s3):
    index = load_suite_sources([str(TESTCASES), "s3://suites/extra/"], s3_client=s3.client)
    assert "s3only/double" in index and "basics/add" in index
    assert len(index) == len(load_suites([TESTCASES])) + 1


def test_a_task_defined_in_s3_and_locally_is_refused(s3):
    with pytest.raises(SuiteError, match="also defined in s3://suites/v1/"):
        load_suite_sources(["s3://suites/v1/", str(TESTCASES)], s3_client=s3.client)


def test_a_broken_document_names_its_s3_key(s3):
    with pytest.raises(SuiteError, match=r"s3://suites/bad/broken\.json: \(document\): not valid"):
        load_s3_suites("s3://suites/bad/", client=s3.client)


def test_an_empty_prefix_and_a_missing_bucket_are_clear_errors(s3, service_client):
    with pytest.raises(SuiteSourceError, match=r"no \*\.json suite files"):
        load_s3_suites("s3://suites/nothing-here/", client=s3.client)
    with pytest.raises(SuiteSourceError, match=r"NoSuchBucket.*check the bucket name"):
        load_s3_suites("s3://no-such-bucket/", client=service_client(s3.url), options=FAST)


def test_throttling_is_retried_until_it_passes(s3, service_client):
    with Front(s3.url, failures=2, status=503, code="SlowDown") as front:
        suites = load_s3_suites("s3://suites/extra/", client=service_client(front.url),
                                options=FAST)
    assert [suite.task_id for suite in suites] == ["s3only/double"]
    assert front.requests == 2 + 2  # two refused, then one list and one get


def test_throttling_that_never_stops_ends_in_one_clear_error(s3, service_client):
    with Front(s3.url, failures=10**6, status=503, code="SlowDown") as front, \
            pytest.raises(SuiteSourceError) as caught:
        load_s3_suites("s3://suites/extra/", client=service_client(front.url), options=FAST)
    assert front.requests == 3
    assert str(caught.value) == "s3://suites/extra/: cannot list: SlowDown (HTTP 503) after 3 tries"


def test_access_denied_is_not_retried_and_says_what_is_missing(s3, service_client):
    with Front(s3.url, failures=10**6, status=403, code="AccessDenied") as front, \
            pytest.raises(SuiteSourceError, match=r"AccessDenied.*needs s3:ListBucket"):
        load_s3_suites("s3://suites/extra/", client=service_client(front.url), options=FAST)
    assert front.requests == 1
