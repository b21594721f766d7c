"""The image's invariants, read from the Dockerfile with a parser (no container engine here):
a base pinned by digest, the lock file obeyed, a final stage that runs as a numeric non-root
user and holds no compiler or package manager, labels per the OCI image spec."""

from __future__ import annotations

import re

from dockerfile_parse import DockerfileParser

from .rendering import ROOT

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}(\s|$)")


def instructions() -> list[dict[str, str]]:
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    return list(parser.structure)


def final_stage() -> list[dict[str, str]]:
    items = instructions()
    last_from = max(i for i, item in enumerate(items) if item["instruction"] == "FROM")
    return items[last_from:]


def test_every_base_image_is_pinned_by_digest() -> None:
    bases = [i["value"] for i in instructions() if i["instruction"] == "FROM"]
    assert len(bases) >= 2  # multi-stage
    for base in bases:
        assert DIGEST.search(base), base
    assert final_stage()[0]["value"].startswith("python:3.11-slim-bookworm@sha256:")


def test_the_build_installs_exactly_the_lock_file_without_dev_tools() -> None:
    runs = " ".join(i["value"] for i in instructions() if i["instruction"] == "RUN")
    assert "uv sync --frozen --no-dev --all-packages" in runs
    copies = " ".join(i["value"] for i in instructions() if i["instruction"] == "COPY")
    assert "uv.lock" in copies


def test_the_final_stage_runs_as_a_numeric_non_root_user() -> None:
    users = [i["value"] for i in final_stage() if i["instruction"] == "USER"]
    assert users, "no USER in the final stage"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0


def test_the_final_stage_has_no_compiler_or_package_manager() -> None:
    stage = final_stage()
    copies = [i["value"] for i in stage if i["instruction"] == "COPY"]
    assert copies == ["--from=build --chown=0:0 /app/.venv /app/.venv"]  # the venv only
    for item in stage:
        if item["instruction"] == "RUN":
            assert not re.search(r"\b(apt-get|apk|gcc|cc|make)\b.*install|pip install|uv ",
                                 item["value"]), item["value"]
            assert "pip uninstall" in item["value"]  # the base image's pip goes
    env = " ".join(i["value"] for i in stage if i["instruction"] == "ENV")
    assert "/app/.venv/bin" in env


def test_the_image_carries_oci_labels() -> None:
    labels = DockerfileParser(path=str(ROOT / "Dockerfile")).labels
    for key in ("title", "description", "source", "licenses"):
        assert labels.get(f"org.opencontainers.image.{key}"), key
