"""A real S3-compatible endpoint for tests: moto in server mode, on a free port.

boto3 talks HTTP to it exactly as to S3. Credentials and region are dummies
passed explicitly, never taken from the machine.

    with s3_endpoint() as s3:
        s3.client.create_bucket(Bucket="suites")
        s3.upload_folder(TESTCASES, bucket="suites", prefix="v1/")
        load_s3_suites("s3://suites/v1/", client=s3.client)
"""

from __future__ import annotations

import contextlib
import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REGION = "us-east-1"
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
DUMMY_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
             "AWS_DEFAULT_REGION": REGION}
"""The environment a subprocess needs for boto3 to sign requests to a local endpoint."""


@dataclass
class S3Endpoint:
    url: str
    client: Any

    def upload_folder(self, folder: Path, *, bucket: str, prefix: str) -> list[str]:
        """Put every *.json file under `folder` at `prefix` + its relative path."""
        keys = []
        for path in sorted(folder.rglob("*.json")):
            key = prefix + path.relative_to(folder).as_posix()
            self.client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
            keys.append(key)
        return keys

    def put_json(self, bucket: str, key: str, document: Any) -> None:
        self.client.put_object(Bucket=bucket, Key=key, Body=json.dumps(document).encode())


def s3_client(url: str) -> Any:
    """A plain boto3 S3 client for the endpoint at `url` (botocore's own retries left on)."""
    import boto3

    return boto3.client("s3", endpoint_url=url, region_name=REGION, **DUMMY_CREDENTIALS)


@contextlib.contextmanager
def s3_endpoint(host: str = "127.0.0.1") -> Iterator[S3Endpoint]:
    """Start moto's S3 server on a free port of `host`; stop it afterwards."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=host, port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    url = f"http://127.0.0.1:{port}"
    try:
        # moto keeps its buckets per process, not per server: start empty.
        _reset(url)
        yield S3Endpoint(url=url, client=s3_client(url))
    finally:
        _reset(url)
        server.stop()


def _reset(url: str) -> None:
    request = urllib.request.Request(f"{url}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200
