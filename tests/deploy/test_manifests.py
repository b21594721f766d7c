"""What an operator relies on in every overlay: each object valid for Kubernetes, each API and
worker hardened, disrupted gracefully and reachable only along the flows the design needs, each
container running a command the stack itself runs (``make run``), no secret value inlined."""

from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Any

import kubernetes_validate
import pytest
import yaml

from interlude.shared.nats_permissions import service_permissions
from interlude.shared.service import ServiceSpec, discover_services

from .rendering import K8S, OVERLAYS, Obj

SPECS = {spec.name: spec for spec in discover_services()}


def of_kind(objs: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o["kind"] == kind]


def product_deployments(objs: list[Obj]) -> list[Obj]:
    return [d for d in of_kind(objs, "Deployment")
            if d["metadata"]["labels"].get("app.kubernetes.io/name") in SPECS]


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def pod_templates(objs: list[Obj]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for o in objs:
        if o["kind"] in ("Deployment", "StatefulSet", "Job"):
            found.append((f"{o['kind']}/{o['metadata']['name']}", o["spec"]["template"]["spec"]))
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_kubernetes(rendered: dict[str, list[Obj]], overlay: str) -> None:
    version = kubernetes_validate.latest_version()
    custom = []
    for obj in rendered[overlay]:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            custom.append(f"{obj['apiVersion']} {obj['kind']}")
    if custom:  # CloudNativePG's Cluster and ScheduledBackup: no schema offline
        warnings.warn(f"{overlay}: not validated (custom resources): {sorted(set(custom))}",
                      stacklevel=1)
    assert len(custom) < len(rendered[overlay])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_api_and_worker_is_hardened_probed_and_bounded(
        rendered: dict[str, list[Obj]], overlay: str) -> None:
    objs = rendered[overlay]
    accounts = {sa["metadata"]["name"]: sa for sa in of_kind(objs, "ServiceAccount")}
    expected = {f"{s.name}-api" for s in SPECS.values() if s.api} | {
        f"{s.name}-worker" for s in SPECS.values() if s.worker}
    deployments = product_deployments(objs)
    assert {d["metadata"]["name"] for d in deployments} == expected
    for d in deployments:
        name, pod = d["metadata"]["name"], d["spec"]["template"]["spec"]
        service = d["metadata"]["labels"]["app.kubernetes.io/name"]
        assert pod["serviceAccountName"] == service, name
        assert pod["automountServiceAccountToken"] is False, name
        assert accounts[service]["automountServiceAccountToken"] is False, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        keys = {c["topologyKey"] for c in pod["topologySpreadConstraints"]}
        assert "topology.kubernetes.io/zone" in keys, name
        tmp = {m["mountPath"] for c in pod["containers"] for m in c["volumeMounts"]}
        assert "/tmp" in tmp, name
        for c in containers(pod):
            sec = c["securityContext"]
            assert sec["runAsNonRoot"] is True, name
            assert sec["allowPrivilegeEscalation"] is False, name
            assert sec["capabilities"]["drop"] == ["ALL"], name
            assert sec["readOnlyRootFilesystem"] is True, name
            assert sec["seccompProfile"]["type"] == "RuntimeDefault", name
            assert {"cpu", "memory"} <= set(c["resources"]["requests"]), name
            assert {"cpu", "memory"} <= set(c["resources"]["limits"]), name
        main = pod["containers"][0]
        if name.endswith("-api"):
            assert main["readinessProbe"]["httpGet"]["path"] == "/readyz", name
            assert main["livenessProbe"]["httpGet"]["path"] == "/healthz", name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_a_pdb_and_every_api_an_hpa(
        rendered: dict[str, list[Obj]], overlay: str) -> None:
    objs = rendered[overlay]
    pdbs = [p["spec"]["selector"]["matchLabels"] for p in of_kind(objs, "PodDisruptionBudget")]
    hpas = {h["spec"]["scaleTargetRef"]["name"] for h in of_kind(objs, "HorizontalPodAutoscaler")}
    for d in product_deployments(objs):
        labels = d["spec"]["template"]["metadata"]["labels"]
        assert any(sel.items() <= labels.items() for sel in pdbs), d["metadata"]["name"]
        if d["metadata"]["name"].endswith("-api"):
            assert d["metadata"]["name"] in hpas


def test_production_runs_two_or_more_of_each_and_three_of_each_database(
        rendered: dict[str, list[Obj]]) -> None:
    objs = rendered["production"]
    assert all(d["spec"]["replicas"] >= 2 for d in product_deployments(objs))
    assert all(h["spec"]["minReplicas"] >= 2 for h in of_kind(objs, "HorizontalPodAutoscaler"))
    clusters = {c["metadata"]["name"]: c for c in of_kind(objs, "Cluster")}
    assert set(clusters) == {f"{s.name}-db" for s in SPECS.values() if s.migrations}
    assert all(c["spec"]["instances"] == 3 for c in clusters.values())
    config = next(c for c in of_kind(objs, "ConfigMap")
                  if c["metadata"]["name"].startswith("interlude-config"))
    assert config["data"]["INTERLUDE_STREAM_REPLICAS"] == "3"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_worker_shares_its_projections_through_partition_leases(
        rendered: dict[str, list[Obj]], overlay: str) -> None:
    """Two replicas of a worker must not both run a projection over every tenant: each takes
    partitions by lease (ADR 0013), and engagement's split by tenant so both replicas work."""
    partitions = {}
    for d in product_deployments(rendered[overlay]):
        if d["metadata"]["name"].endswith("-worker"):
            env = {e["name"]: e.get("value") for e in d["spec"]["template"]["spec"][
                "containers"][0].get("env", [])}
            partitions[d["metadata"]["name"]] = int(env.get("INTERLUDE_WORKER_PARTITIONS", 0))
    assert all(n >= 1 for n in partitions.values()), partitions
    assert partitions["engagement-worker"] >= 2


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_namespace_denies_by_default_and_web_is_reached_only_by_the_ingress(
        rendered: dict[str, list[Obj]], overlay: str) -> None:
    policies = {p["metadata"]["name"]: p["spec"]
                for p in of_kind(rendered[overlay], "NetworkPolicy")}
    deny = policies["default-deny"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    web = policies["web-api-ingress"]["ingress"]
    assert len(web) == 1 and len(web[0]["from"]) == 1
    assert "namespaceSelector" in web[0]["from"][0]  # the ingress controller's namespace only


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_value_is_written_in_the_manifests(
        rendered: dict[str, list[Obj]], overlay: str) -> None:
    objs = rendered[overlay]
    assert of_kind(objs, "Secret") == []
    for where, pod in pod_templates(objs):
        for c in containers(pod):
            for var in c.get("env", []):
                words = ("PASSWORD", "SECRET", "KEY", "DATABASE_URL")
                if any(word in var["name"] for word in words):
                    assert "secretKeyRef" in var.get("valueFrom", {}), f"{where}: {var['name']}"


def stack_commands(spec: ServiceSpec) -> list[list[str]]:
    """What ``make run`` starts for ``spec`` (interlude.shared.stack.supervisor), and its
    migrations, as the image's commands; only the listen address differs."""
    commands = []
    if spec.api:
        commands.append(["python", "-m", "uvicorn", "--factory", spec.api,
                         "--host", "0.0.0.0", "--port", str(spec.default_port)])
    if spec.worker:
        commands.append(["python", "-m", spec.worker])
    if spec.migrations:
        commands.append(["python", "/etc/interlude/migrate.py", spec.name])
    return commands


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_runs_a_command_of_the_stack(
        rendered: dict[str, list[Obj]], overlay: str) -> None:
    allowed = [cmd for spec in SPECS.values() for cmd in stack_commands(spec)]
    allowed.append(["python", "/etc/interlude/streams.py"])
    image_pods = 0
    for where, pod in pod_templates(rendered[overlay]):
        for c in containers(pod):
            if c["image"].startswith("ghcr.io/interlude/interlude"):
                image_pods += 1
                assert c["command"] in allowed, f"{where}: {c['command']}"
    assert image_pods >= len(SPECS)


def test_production_nats_is_three_jetstream_servers_with_each_service_s_permissions() -> None:
    values = yaml.safe_load((K8S / "overlays" / "production" / "nats-values.yaml").read_text())
    config = values["config"]
    assert config["cluster"] == {"enabled": True, "replicas": 3}
    assert config["jetstream"]["fileStore"]["pvc"]["enabled"] is True
    assert config["jetstream"]["merge"]["sync_interval"] == "always"
    users = {u["user"]: u for u in config["merge"]["authorization"]["users"]}
    for spec in SPECS.values():
        if spec.name == "web":  # web has no NATS user: it calls the APIs only
            assert spec.name not in users
            continue
        allowed = service_permissions(spec)
        permissions = users[spec.name]["permissions"]
        assert permissions["publish"]["allow"] == list(allowed.publish), spec.name
        assert permissions["subscribe"]["allow"] == list(allowed.subscribe), spec.name


def test_dev_nats_gives_each_service_the_same_permissions() -> None:
    text = (K8S / "overlays" / "dev" / "nats.conf").read_text()
    for spec in SPECS.values():
        if spec.name != "web":
            for subject in service_permissions(spec).subscribe:
                assert f'"{subject}"' in text, (spec.name, subject)


def test_the_overlays_nats_users_are_the_ones_nats_permissions_gives() -> None:
    """``deploy/k8s/nats_users.py`` writes both overlays' users (responses to subject-access
    requests included); a permission changed in code and not rewritten there fails here."""
    done = subprocess.run([sys.executable, str(K8S / "nats_users.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
