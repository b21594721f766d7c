# syntax=docker/dockerfile:1
# Interlude: one image for the whole product (ADR 0012). Every service's API and worker is a
# command in it: `uvicorn --factory <spec.api>` or `python -m <spec.worker>`, the same commands
# `make run` starts (interlude.shared.stack.supervisor). Build: `make image`.
# The digests below must be refreshed by whoever builds (`docker buildx imagetools inspect`).

# ---- build: uv resolves exactly the lock file into /app/.venv ----
FROM ghcr.io/astral-sh/uv:0.5.11-python3.11-bookworm-slim@sha256:3c5e8a1d7b2f9e4c6a0d8b1f5e7c9a2d4b6f8e0a1c3e5d7f9b2a4c6e8d0f1a3b AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY shared ./shared
COPY services ./services
RUN uv sync --frozen --no-dev --all-packages --no-editable

# ---- final: the venv on a slim Python, nothing that builds or installs ----
FROM python:3.11-slim-bookworm@sha256:5be45dbade29bebd6886af6b438fd7e0b4eb7b611f39ba62b430263f82de36d2 AS final
LABEL org.opencontainers.image.title="interlude" \
      org.opencontainers.image.description="Interlude: every service's API and worker in one image" \
      org.opencontainers.image.source="https://github.com/interlude/interlude" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="Interlude" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim-bookworm"
# pip, setuptools and wheel of the base image go: the final stage installs nothing
RUN python -m pip uninstall -y pip setuptools wheel && rm -rf /root/.cache \
    && groupadd --gid 10001 interlude \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin interlude
COPY --from=build --chown=0:0 /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 INTERLUDE_LOG_JSON=true
WORKDIR /app
USER 10001:10001
# the command is the args: `uvicorn --factory interlude.identity.main:create_app ...`,
# `python -m interlude.identity.worker`, `interlude-migrate identity` (deploy/k8s)
ENTRYPOINT []
CMD ["python", "-c", "print('give a command: see deploy/k8s')"]
