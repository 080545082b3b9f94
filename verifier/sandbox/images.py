"""The Docker backend's images: one per language, each holding this very runner.

`tools/sandbox-images.sh` (`make sandbox-images`) builds them from
`sandbox_images/<name>/Dockerfile` and labels each with the digest of the
runner it copied in. The zygote protocol has no version number: a container
whose runner differs from the service's must not be used, so the backend
compares the label with `runner_digest()` and says how to rebuild.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_IMAGES", "RUNNER_DIGEST_LABEL", "image_problem", "runner_digest"]

DEFAULT_IMAGES: tuple[tuple[str, str], ...] = (
    ("python", "verifier-sandbox-python:latest"),
    ("cpp", "verifier-sandbox-cpp:latest"),
    ("javascript", "verifier-sandbox-node:latest"),
)
"""The image of each language, as `make sandbox-images` tags them."""
RUNNER_DIGEST_LABEL = "verifier.runner-digest"
_RUNNER = Path(__file__).resolve().parent / "runner"


def runner_digest() -> str:
    """sha256 over "NAME SHA256\\n" per runner module, names in byte order (as the script)."""
    lines = "".join(f"{path.name} {hashlib.sha256(path.read_bytes()).hexdigest()}\n"
                    for path in sorted(_RUNNER.glob("*.py"), key=lambda p: p.name.encode()))
    return hashlib.sha256(lines.encode()).hexdigest()


def image_problem(client: Any, image: str) -> str | None:
    """Why `image` cannot serve this runner (missing, or built from another one), or None."""
    import docker  # the optional SDK: only the Docker backend imports it

    try:
        labels = client.images.get(image).labels or {}
    except docker.errors.ImageNotFound:
        return f"image {image} is missing; run `make sandbox-images`"
    if labels.get(RUNNER_DIGEST_LABEL) != runner_digest():
        return (f"image {image} was built from another version of the runner; "
                f"run `make sandbox-images`")
    return None
