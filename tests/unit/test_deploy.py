"""The Kubernetes deployment files (deploy/) checked offline: nothing here can be built or applied,
so these tests catch the files drifting from the code and from each other."""

import re
import shlex
from pathlib import Path

import pytest
import yaml

from pipelines.lib.paths import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
VALUES = DEPLOY / "helm" / "values.yaml"
K8S = DEPLOY / "k8s"
CONFIG_MAP_NAME = "minerals-env"

PROJECT_VAR = re.compile(r"\b(?:MINERALS|DAGSTER_PG)_[A-Z0-9_]*[A-Z0-9]\b")


def _yaml_files() -> list[Path]:
    return sorted(DEPLOY.rglob("*.yaml")) + sorted(DEPLOY.rglob("*.yml"))


def _docs(path: Path) -> list:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def _k8s_objects() -> list[dict]:
    return [d for p in sorted(K8S.glob("*.yaml")) for d in _docs(p)]


def _only(kind: str, name: str) -> dict:
    found = [o for o in _k8s_objects() if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name} in {K8S}, found {len(found)}"
    return found[0]


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _dockerfile_env() -> dict[str, str]:
    env = {}
    for word, rest in _dockerfile_instructions():
        if word == "ENV":
            env.update(token.split("=", 1) for token in shlex.split(rest))
    return env


def _dockerfile_copies() -> list[tuple[list[str], str]]:
    """(sources, destination) of every COPY, destinations made absolute against WORKDIR."""
    workdir, copies = "/", []
    for word, rest in _dockerfile_instructions():
        if word == "WORKDIR":
            workdir = rest
        elif word == "COPY":
            tokens = [t for t in shlex.split(rest) if not t.startswith("--")]
            dest = tokens[-1] if tokens[-1].startswith("/") else f"{workdir}/{tokens[-1]}"
            copies.append((tokens[:-1], re.sub(r"/(\./)?$", "", dest).replace("/./", "/")))
    return copies


def _image_path_of(repo_file: str) -> str:
    """Where the Dockerfile puts a repository file in the image."""
    for sources, dest in _dockerfile_copies():
        for src in sources:
            if src.rstrip("/") == repo_file:
                return dest if len(sources) == 1 else f"{dest}/{Path(src).name}"
            if src.endswith("/") and repo_file.startswith(src):
                return f"{dest}/{repo_file[len(src) :]}"
    pytest.fail(f"deploy/Dockerfile does not copy {repo_file} into the image")


def _code_location() -> dict:
    (deployment,) = _docs(VALUES)[0]["dagster-user-deployments"]["deployments"]
    return deployment


def _workers() -> dict:
    return _only("Deployment", "minerals-celery-workers")


def _worker_container() -> dict:
    (container,) = _workers()["spec"]["template"]["spec"]["containers"]
    return container


def _option(args: list[str], *names: str) -> str:
    hits = [args[i + 1] for i, a in enumerate(args[:-1]) if a in names]
    assert len(hits) == 1, f"expected one of {names} in {args}"
    return hits[0]


def _workspace_module() -> str:
    workspace = yaml.safe_load((PROJECT_ROOT / "workspace.yaml").read_text())
    (location,) = workspace["load_from"]
    return location["python_module"]["module_name"]


def _known_variables() -> set[str]:
    """Names the code reads, or the instance/Celery files deploy/ ships resolve from the env."""
    sources = list((PROJECT_ROOT / "pipelines").rglob("*.py"))
    sources += [DEPLOY / "dagster.yaml", DEPLOY / "celery.yaml"]
    return {name for path in sources for name in PROJECT_VAR.findall(path.read_text())}


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_yaml_file_parses(path):
    assert _docs(path), f"{path} has no YAML document"


def test_k8s_manifests_are_kubernetes_objects():
    for obj in _k8s_objects():
        assert {"apiVersion", "kind", "metadata"} <= obj.keys(), obj
        assert obj["metadata"].get("name"), obj


def test_code_location_module_is_the_workspace_one():
    args = _code_location()["dagsterApiGrpcArgs"]
    assert _option(args, "-m", "--module-name") == _workspace_module()


def test_image_default_command_serves_the_workspace_module():
    (cmd,) = [rest for word, rest in _dockerfile_instructions() if word == "CMD"]
    args = yaml.safe_load(cmd)  # exec form: a JSON list
    assert args[:3] == ["dagster", "api", "grpc"]
    assert _option(args, "-m", "--module-name") == _workspace_module()
    assert int(_option(args, "-p", "--port")) == _code_location()["port"]


def test_every_project_variable_in_deploy_is_one_the_code_reads():
    known = _known_variables()
    used = {}
    for path in DEPLOY.rglob("*"):
        if path.is_file() and path.name not in ("dagster.yaml", "celery.yaml"):
            for name in PROJECT_VAR.findall(path.read_text()):
                used.setdefault(name, set()).add(str(path.relative_to(DEPLOY)))
    unknown = {name: files for name, files in used.items() if name not in known}
    assert not unknown, f"variables nothing reads: {unknown}"


def test_workers_get_every_variable_the_instance_and_celery_files_read():
    needed = {
        name
        for f in ("dagster.yaml", "celery.yaml")
        for name in PROJECT_VAR.findall((DEPLOY / f).read_text())
    }
    provided = set(_only("ConfigMap", CONFIG_MAP_NAME)["data"]) | {
        e["name"] for e in _worker_container().get("env", [])
    }
    assert needed - provided == set()


def test_every_path_the_dockerfile_copies_exists():
    for sources, _ in _dockerfile_copies():
        for src in sources:
            assert (PROJECT_ROOT / src).exists(), f"deploy/Dockerfile copies missing {src}"


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    ignored = {
        line.strip().strip("/")
        for line in (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", "warehouse", ".dagster"} <= ignored
    for sources, _ in _dockerfile_copies():
        for src in sources:
            assert src.strip("/") not in ignored, f"{src} is copied but .dockerignore drops it"


def test_image_dagster_home_holds_deploy_dagster_yaml():
    dagster_home = _dockerfile_env()["DAGSTER_HOME"]
    assert _image_path_of("deploy/dagster.yaml") == f"{dagster_home}/dagster.yaml"
    # The chart sets DAGSTER_HOME in its pods from this value: the code server must find it too.
    assert _docs(VALUES)[0]["global"]["dagsterHome"] == dagster_home


def test_image_imports_the_copied_source_tree():
    # pipelines/lib/paths.py finds sql/ and data/ beside the package, not in site-packages
    package_dir = _image_path_of("pipelines/definitions.py").rsplit("/", 2)[0]
    assert package_dir in _dockerfile_env()["PYTHONPATH"].split(":")


def test_celery_workers_start_with_deploy_celery_yaml():
    args = _worker_container()["command"] + _worker_container().get("args", [])
    assert args[:3] == ["dagster-celery", "worker", "start"]
    assert _option(args, "-A", "--app") == "dagster_celery.app"
    assert _option(args, "-y", "--config-yaml") == _image_path_of("deploy/celery.yaml")


def test_celery_workers_run_the_code_location_image():
    image = _code_location()["image"]
    assert _worker_container()["image"] == f"{image['repository']}:{image['tag']}"


def test_celery_workers_share_env_and_volume_with_the_code_location():
    location, container = _code_location(), _worker_container()
    worker_config_maps = {
        e["configMapRef"]["name"] for e in container["envFrom"] if "configMapRef" in e
    }
    assert {c["name"] for c in location["envConfigMaps"]} <= worker_config_maps
    claims = {
        v["persistentVolumeClaim"]["claimName"]
        for v in _workers()["spec"]["template"]["spec"]["volumes"]
        if "persistentVolumeClaim" in v
    }
    location_claims = {v["persistentVolumeClaim"]["claimName"] for v in location["volumes"]}
    assert claims == location_claims
    mounts = {(m["name"], m["mountPath"]) for m in container["volumeMounts"]}
    assert mounts == {(m["name"], m["mountPath"]) for m in location["volumeMounts"]}


def test_shared_volume_is_read_write_many_and_holds_the_warehouse():
    (claim_name,) = {v["persistentVolumeClaim"]["claimName"] for v in _code_location()["volumes"]}
    assert _only("PersistentVolumeClaim", claim_name)["spec"]["accessModes"] == ["ReadWriteMany"]
    (mount_path,) = {m["mountPath"] for m in _code_location()["volumeMounts"]}
    warehouse_dir = _only("ConfigMap", CONFIG_MAP_NAME)["data"]["MINERALS_WAREHOUSE_DIR"]
    assert Path(warehouse_dir).is_relative_to(mount_path)


def test_chart_postgres_is_the_instance_files_postgres():
    # The chart's own dagster.yaml (webserver, daemon, runs) and deploy/dagster.yaml (code server,
    # workers) must name the same database.
    pg = _docs(VALUES)[0]["postgresql"]
    env = _only("ConfigMap", CONFIG_MAP_NAME)["data"]
    chart = (pg["postgresqlHost"], str(pg["service"]["port"]), pg["postgresqlDatabase"])
    assert chart + (pg["postgresqlUsername"],) == (
        env["DAGSTER_PG_HOST"],
        env["DAGSTER_PG_PORT"],
        env["DAGSTER_PG_DB"],
        env["DAGSTER_PG_USERNAME"],
    )


def test_daemon_queues_one_run_at_a_time_with_the_k8s_run_launcher():
    values = _docs(VALUES)[0]
    coordinator = values["dagsterDaemon"]["runCoordinator"]
    assert coordinator["enabled"] and coordinator["type"] == "QueuedRunCoordinator"
    instance = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    assert (
        coordinator["config"]["queuedRunCoordinator"]["maxConcurrentRuns"]
        == instance["concurrency"]["runs"]["max_concurrent_runs"]
    )
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert CONFIG_MAP_NAME in {c["name"] for c in launcher["envConfigMaps"]}
    assert _only("ConfigMap", CONFIG_MAP_NAME)["data"]["MINERALS_EXECUTOR"] == "celery"


def test_the_code_location_has_one_name_everywhere():
    """workspace.yaml, dg's project config and the Helm deployment name the location alike:
    dg used to name it after the clone's folder, and `make ui` printed Dagster's "code
    location name 'clone' does not match" warning 39 times."""
    import tomllib

    (location,) = yaml.safe_load((PROJECT_ROOT / "workspace.yaml").read_text())["load_from"]
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["dg"]
    name = location["python_module"]["location_name"]
    assert name == project["project"]["code_location_name"] == _code_location()["name"]
