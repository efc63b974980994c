"""The containers, validated without a Docker engine (there is none on the development
machines): docker-compose.yml is valid for Compose (`config` needs no engine), every
service has a healthcheck, the images and the services agree on ports, the images run as a
non-root user with no secret baked in, and .env.example holds every setting."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from devkit.broker import compose_definitions, password_variable
from devkit.platform import CONSOLE_PORT, DEFAULT_PORTS
from shared.messaging.access import SERVICES, development_password
from shared.policy import Policy
from shared.settings import ProcessSettings, ServiceSettings
from testkit.platforms import (
    CLUSTER_FILE,
    CLUSTER_STAND_INS_FILE,
    COMPOSE_FILE,
    ENV_EXAMPLE,
    ROOT,
    STAND_INS_FILE,
    read_env_file,
    tracebacks,
)

APP_SERVICES = tuple(DEFAULT_PORTS)
#: Every image built from docker/service.Dockerfile, with its port: the services and the
#: console.
IMAGES = {**DEFAULT_PORTS, "console": CONSOLE_PORT}
MONGO_PASSWORDS = tuple(f"MONGO_{name.upper()}_PASSWORD" for name in APP_SERVICES)
#: The broker's users: every service's, and the payment rail's (`payments`, no process here).
BROKER_USERS = SERVICES
BROKER_PASSWORDS = tuple(password_variable(name) for name in BROKER_USERS)
SECRETS = (
    "RABBITMQ_USER",
    "RABBITMQ_PASSWORD",
    *BROKER_PASSWORDS,
    "MONGO_ROOT_USER",
    "MONGO_ROOT_PASSWORD",
    "MONGO_REPLICA_SET_KEY",
    *MONGO_PASSWORDS,
    "CONSOLE_SESSION_SECRET",
)
NO_COMPOSE = (
    "No docker-compose here: `make test` installs it (tools/ensure-compose.sh, Debian "
    "package docker-compose); elsewhere install Docker Compose (no engine is needed)."
)
#: Settings the compose file need not pass, and why.
NOT_PASSED = {"HOST": "each image sets HOST=0.0.0.0"}
#: Settings .env.example need not hold: the compose file builds them (the notices' folder
#: is the container's mount point of CALENDAR_NOTICES_HOST_DIR).
BUILT_BY_COMPOSE = {"AMQP_URL", "MONGO_URL", "CALENDAR_NOTICES_DIR"}
SECRET_LOOKING = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE|CREDENTIAL|_URL$")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def _services() -> dict[str, Any]:
    services: dict[str, Any] = _compose()["services"]
    return services


def _dockerfile(service: str) -> str:
    build = _services()[service]["build"]
    path = ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
    # One instruction per line: continuation lines joined.
    return re.sub(r"\\\n\s*", " ", path.read_text())


def _instructions(dockerfile: str, keyword: str) -> list[str]:
    return re.findall(rf"^{keyword}\s+(.+)$", dockerfile, re.MULTILINE)


def _container_ports(service: dict[str, Any]) -> set[int]:
    return {int(str(p).split(":")[-1].split("/")[0]) for p in service.get("ports", [])}


def _compose_command() -> list[str] | None:
    if executable := shutil.which("docker-compose"):
        return [executable]
    docker = shutil.which("docker")
    if docker is not None:
        version = subprocess.run(
            [docker, "compose", "version"], capture_output=True, timeout=60, check=False
        )
        if version.returncode == 0:
            return [docker, "compose"]
    return None


def _compose_config(env_file: Path, *overrides: Path) -> subprocess.CompletedProcess[str]:
    """`config -q` with exactly the settings of `env_file`: none from the shell or .env."""
    command = _compose_command()
    if command is None:
        pytest.fail(NO_COMPOSE, pytrace=False)
    example = read_env_file(ENV_EXAMPLE)
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in example and not key.startswith("COMPOSE_")
    }
    return subprocess.run(
        [
            *command,
            "-f",
            str(COMPOSE_FILE),
            *[a for o in overrides for a in ("-f", str(o))],
            "--env-file",
            str(env_file),
            "config",
            "-q",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        timeout=120,
        check=False,
    )


def test_the_compose_file_is_valid_with_the_example_settings(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    shutil.copy(ENV_EXAMPLE, env_file)
    result = _compose_config(env_file)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_stand_ins_only_replace_images_and_the_engines_address(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    shutil.copy(ENV_EXAMPLE, env_file)
    result = _compose_config(env_file, STAND_INS_FILE)
    assert result.returncode == 0, result.stdout + result.stderr
    stand_ins: dict[str, Any] = yaml.safe_load(STAND_INS_FILE.read_text())["services"]
    assert set(stand_ins) == set(_services())
    assert stand_ins["console"] == {
        "build": {"args": {"PYTHON_IMAGE": "marketplace-local/python:3.11"}}
    }
    for name in ("mongo", "rabbitmq"):
        assert stand_ins[name]["image"].startswith("marketplace-local/"), name
        assert set(stand_ins[name]) <= {"image", "entrypoint", "command", "healthcheck"}, name
    for name in APP_SERVICES:  # the same images, on the Python stand-in; MongoDB direct
        assert set(stand_ins[name]) == {"build", "environment"}, name
        assert stand_ins[name]["build"] == {
            "args": {"PYTHON_IMAGE": "marketplace-local/python:3.11"}
        }
        assert set(stand_ins[name]["environment"]) == {"MONGO_URL"}


@pytest.mark.parametrize("secret", SECRETS)
def test_compose_refuses_to_run_without_a_secret(tmp_path: Path, secret: str) -> None:
    env_file = tmp_path / ".env"
    lines = ENV_EXAMPLE.read_text().splitlines(keepends=True)
    env_file.write_text("".join(line for line in lines if not line.startswith(f"{secret}=")))
    result = _compose_config(env_file)
    assert result.returncode != 0
    assert f"set {secret} in .env" in result.stdout + result.stderr


@pytest.mark.parametrize("secret", SECRETS)
def test_secrets_have_no_default_in_the_compose_file(secret: str) -> None:
    uses = re.findall(rf"\$\{{{secret}(\W*)", COMPOSE_FILE.read_text())
    assert uses, f"{secret} is not used"
    assert all(use.startswith(":?") for use in uses), f"{secret} must be ${{{secret}:?...}}"


def test_the_compose_stack_is_the_issues() -> None:
    services = _services()
    assert set(services) == {"mongo", "rabbitmq", *APP_SERVICES, "console"}
    assert services["mongo"]["image"].split(":")[1].split(".")[0] == "7"
    assert "--replSet" in services["mongo"]["command"]
    assert services["mongo"]["healthcheck"]["test"][1].endswith("/mongo/healthcheck.js")
    assert "rs.initiate" in (ROOT / "docker" / "mongo" / "healthcheck.js").read_text()
    assert services["rabbitmq"]["image"].endswith("-management")
    named = set(_compose()["volumes"])
    for name in ("mongo", "rabbitmq"):
        data = {
            str(v).split(":")[0] for v in services[name]["volumes"] if not str(v).startswith("./")
        }
        assert data <= named, f"{name} keeps its data in a named volume"
    for name in APP_SERVICES:
        assert services[name]["depends_on"] == {
            "mongo": {"condition": "service_healthy"},
            "rabbitmq": {"condition": "service_healthy"},
        }


@pytest.mark.parametrize("service", sorted(_services()))
def test_every_service_has_a_healthcheck(service: str) -> None:
    definition = _services()[service]
    healthcheck = definition.get("healthcheck", {})
    if healthcheck.get("test") and not healthcheck.get("disable"):
        return
    assert "build" in definition, f"{service}: no healthcheck in the compose file"
    assert _instructions(_dockerfile(service), "HEALTHCHECK"), f"{service}: no healthcheck"


@pytest.mark.parametrize("service", IMAGES)
def test_the_image_and_the_service_agree_on_the_port(service: str) -> None:
    dockerfile = _dockerfile(service)
    variable = f"{service.upper()}_PORT"
    module = importlib.import_module(f"{service}.settings")
    [settings_class] = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ProcessSettings)
        and value not in (ProcessSettings, ServiceSettings)
    ]
    field = settings_class.model_fields["port"]
    assert field.validation_alias == variable
    # One Dockerfile for every service: its name and port are build arguments, and the
    # image exposes, and checks its health on, the port it was built with.
    args = _services()[service]["build"]["args"]
    assert args["SERVICE"] == service
    assert _instructions(dockerfile, "EXPOSE") == ["${PORT}"]
    assert "SERVICE_PORT=${PORT}" in " ".join(_instructions(dockerfile, "ENV"))
    assert "os.environ['SERVICE_PORT']" in " ".join(_instructions(dockerfile, "HEALTHCHECK"))
    built = dict(re.findall(r"\b(\w+):(\d+)\b", (ROOT / "tools/docker/build.sh").read_text()))
    ports = {
        "the compose service's container port": _container_ports(_services()[service]),
        "the compose file's PORT build argument": {int(args["PORT"])},
        "tools/docker/build.sh's PORT": {int(built[service])},
        f"{settings_class.__name__}'s default": {field.default},
        "devkit's ports": {IMAGES[service]},
    }
    assert len({frozenset(found) for found in ports.values()}) == 1, ports
    # The host port: `${<SERVICE>_PORT:-<port>}` in the compose file, and .env.example.
    [published] = _services()[service]["ports"]
    assert published == f"${{{variable}:-{IMAGES[service]}}}:{IMAGES[service]}"
    assert read_env_file(ENV_EXAMPLE)[variable] == str(IMAGES[service])


@pytest.mark.parametrize("service", IMAGES)
def test_the_image_is_small_runs_as_non_root_and_bakes_no_secret(service: str) -> None:
    dockerfile = _dockerfile(service)
    [base] = _instructions(dockerfile, "FROM")
    # The official slim image by default; a stand-in only through the build argument.
    assert base.strip() == "${PYTHON_IMAGE}", base
    [default] = [a for a in _instructions(dockerfile, "ARG") if a.startswith("PYTHON_IMAGE=")]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.\d+-slim(-\w+)?", default.strip()), default
    # The build machine's CA reaches pip only as a build secret, never a file of a layer.
    for run in _instructions(dockerfile, "RUN"):
        if "pip install" in run:
            assert run.startswith("--mount=type=secret,id=pip_ca,required=false "), run
    assert not re.search(r"\.(crt|pem)\b", " ".join(_instructions(dockerfile, "COPY")))
    users = _instructions(dockerfile, "USER")
    assert users, "no USER: the service would run as root"
    assert users[-1].split(":")[0].strip() not in {"root", "0"}
    assert dockerfile.rindex("\nUSER ") < dockerfile.rindex("\nCMD ")
    for instruction in ("ENV", "ARG"):
        for line in _instructions(dockerfile, instruction):
            keys = re.findall(r"(\w+)=", line) or line.split()[:1]
            assert not [k for k in keys if SECRET_LOOKING.search(k.upper())], line
    for line in _instructions(dockerfile, "COPY") + _instructions(dockerfile, "ADD"):
        sources = line.split()[:-1]
        assert "." not in sources, line
        assert not any(".env" in source for source in sources), line
    # Dependencies in their own layer, before the source is copied.
    first_source = dockerfile.index("COPY services/${SERVICE}/${SERVICE} ")
    assert dockerfile.index("pip install") < first_source


def _app_environment() -> dict[str, Any]:
    """The services' common environment (each has its own MONGO_URL and AMQP_URL: its own
    users)."""
    environments = [dict(_services()[name]["environment"]) for name in APP_SERVICES]
    for environment in environments:
        del environment["MONGO_URL"], environment["AMQP_URL"]
    assert all(env == environments[0] for env in environments)
    review = _services()["review"]["environment"]
    return {**environments[0], "MONGO_URL": review["MONGO_URL"], "AMQP_URL": review["AMQP_URL"]}


def _setting_names() -> set[str]:
    return {name.upper() for name in ServiceSettings.model_fields}


def _policy_names() -> set[str]:
    return {f"POLICY_{name.upper()}" for name in Policy.model_fields}


def test_every_setting_reaches_the_services_and_is_in_env_example() -> None:
    passed = set(_app_environment())
    missing = (_setting_names() | _policy_names()) - passed - set(NOT_PASSED)
    assert not missing, f"add to the services' environment in docker-compose.yml: {missing}"
    example = set(read_env_file(ENV_EXAMPLE))
    referenced = set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text()))
    pass_through = {key for key, value in _app_environment().items() if value is None}
    wanted = referenced | pass_through | ((passed - BUILT_BY_COMPOSE) & _setting_names())
    assert not wanted - example, f"add to .env.example: {wanted - example}"
    assert read_env_file(ENV_EXAMPLE)["ENVIRONMENT"] == "development"


def _defaults_under(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for key in os.environ:
        if key.upper() in _setting_names() or key.upper().startswith("POLICY_"):
            monkeypatch.delenv(key)
    expected = (ServiceSettings().model_dump(), Policy().model_dump())
    for key, value in values.items():
        if value:  # empty: unset (an optional setting, or the default "")
            monkeypatch.setenv(key, value)
    assert (ServiceSettings().model_dump(), Policy().model_dump()) == expected


def test_env_example_holds_the_development_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    names = _setting_names() | _policy_names()
    values = {k: v for k, v in read_env_file(ENV_EXAMPLE).items() if k in names}
    _defaults_under(monkeypatch, values)


def _compose_defaults() -> dict[str, str]:
    defaults = {}
    for key, value in _app_environment().items():
        if match := re.fullmatch(r"\$\{(\w+):-([^}]*)\}", str(value)):
            defaults[key] = match.group(2)
    return defaults


def test_the_production_file_runs_in_production_mode_unless_told() -> None:
    # A stack started without .env's development values refuses placeholder secrets,
    # guest:guest and a moved clock (shared.settings).
    assert _compose_defaults()["ENVIRONMENT"] == "production"
    assert read_env_file(ENV_EXAMPLE)["ENVIRONMENT"] == "development"


def test_the_database_and_the_brokers_ports_are_published_on_loopback_only() -> None:
    for name in ("mongo", "rabbitmq"):
        for port in _services()[name]["ports"]:
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_the_compose_files_defaults_are_the_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    # But the mode: production by default in the production file (the test above).
    defaults = {k: v for k, v in _compose_defaults().items() if k != "ENVIRONMENT"}
    assert "POLICY_ORDER_CONFIRM_WINDOW_SECONDS" in defaults
    _defaults_under(monkeypatch, defaults)


MONGO_DIR = ROOT / "docker" / "mongo"


def test_mongodb_runs_with_access_control_and_a_user_per_service() -> None:
    mongo = _services()["mongo"]
    environment = mongo["environment"]
    # The root user and the replica set's member key come from .env, never an image.
    assert environment["MONGO_INITDB_ROOT_USERNAME"].startswith("${MONGO_ROOT_USER:?")
    assert environment["MONGO_INITDB_ROOT_PASSWORD"].startswith("${MONGO_ROOT_PASSWORD:?")
    assert environment["MONGO_REPLICA_SET_KEY"].startswith("${MONGO_REPLICA_SET_KEY:?")
    entrypoint = (MONGO_DIR / "entrypoint.sh").read_text()
    assert mongo["entrypoint"] == ["sh", "/etc/marketplace/mongo/entrypoint.sh"]
    assert "chmod 400" in entrypoint
    assert "chown mongodb:mongodb" in entrypoint
    assert entrypoint.rstrip().endswith('exec docker-entrypoint.sh "$@" --keyFile "$key"')
    assert "./docker/mongo/initdb:/docker-entrypoint-initdb.d:ro" in mongo["volumes"]
    # The healthcheck authenticates as root (the replica set is initiated by it).
    assert "--authenticationDatabase admin" in mongo["healthcheck"]["test"][1]
    # Each service connects as itself, with its own password from .env ...
    for name in APP_SERVICES:
        url = _services()[name]["environment"]["MONGO_URL"]
        password = f"MONGO_{name.upper()}_PASSWORD"
        assert url.startswith(f"mongodb://{name}:${{{password}:?"), url
        assert url.endswith("@mongo:27017/?replicaSet=rs0&authSource=admin"), url
        assert environment[password].startswith(f"${{{password}:?")
    # ... a user that can read and write its own database only.
    users = (MONGO_DIR / "initdb" / "10-service-users.js").read_text()
    assert re.search(r"for \(const service of \[(.+)\]\)", users).group(1) == ", ".join(  # type: ignore[union-attr]
        f'"{name}"' for name in APP_SERVICES
    )
    assert 'roles: [{ role: "readWrite", db: prefix + service }]' in users


RABBITMQ_DIR = ROOT / "docker" / "rabbitmq"


def test_the_broker_loads_a_user_per_service_and_each_service_connects_as_its_own() -> None:
    broker = _services()["rabbitmq"]
    assert broker["entrypoint"] == ["sh", "/etc/marketplace/rabbitmq/entrypoint.sh"]
    assert broker["command"] == ["docker-entrypoint.sh", "rabbitmq-server"]
    assert "./docker/rabbitmq:/etc/marketplace/rabbitmq:ro" in broker["volumes"]
    conf = "./docker/rabbitmq/definitions.conf:/etc/rabbitmq/conf.d/30-definitions.conf:ro"
    assert conf in broker["volumes"]
    # The definitions are the code's (`make broker-definitions` writes them) ...
    retry_delay_ms = ServiceSettings.model_fields["retry_delay_ms"].default
    written = (RABBITMQ_DIR / "definitions.json").read_text()
    assert written == compose_definitions(retry_delay_ms), "run `make broker-definitions`"
    placeholders = set(re.findall(r"\$\{(\w+)\}", written))
    assert placeholders == {"RABBITMQ_USER", "RABBITMQ_PASSWORD", *BROKER_PASSWORDS}
    # ... with every password from .env, none with a default.
    for name in placeholders:
        assert broker["environment"][name].startswith(f"${{{name}:?"), name
    for name in APP_SERVICES:
        url = _services()[name]["environment"]["AMQP_URL"]
        assert url.startswith(f"amqp://{name}:${{{password_variable(name)}:?"), url
        assert url.endswith("@rabbitmq:5672/"), url
    # The example's are the development passwords, which the test harness publishes with.
    example = read_env_file(ENV_EXAMPLE)
    for name in BROKER_USERS:
        assert example[password_variable(name)] == development_password(name)


def _rendered(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """docker/rabbitmq/entrypoint.sh, its two paths moved under `tmp_path` (no container
    here), with `env` only; its command prints the rendered definitions."""
    script = (RABBITMQ_DIR / "entrypoint.sh").read_text()
    assert "/etc/marketplace/rabbitmq/definitions.json" in script
    script = script.replace(
        "/etc/marketplace/rabbitmq/definitions.json", str(RABBITMQ_DIR / "definitions.json")
    ).replace("/tmp/marketplace-definitions.json", str(tmp_path / "rendered.json"))
    (tmp_path / "entrypoint.sh").write_text(script)
    return subprocess.run(
        ["sh", str(tmp_path / "entrypoint.sh"), "cat", str(tmp_path / "rendered.json")],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_brokers_entrypoint_fills_in_every_password_and_refuses_a_missing_one(
    tmp_path: Path,
) -> None:
    example = read_env_file(ENV_EXAMPLE)
    env = {
        name: example[name] for name in ("RABBITMQ_USER", "RABBITMQ_PASSWORD", *BROKER_PASSWORDS)
    }
    done = _rendered(tmp_path, env)
    assert done.returncode == 0, done.stderr
    users = {user["name"]: user for user in json.loads(done.stdout)["users"]}
    assert set(users) == {*BROKER_USERS, example["RABBITMQ_USER"]}
    for name in BROKER_USERS:
        assert users[name]["password"] == example[password_variable(name)]
        assert users[name]["tags"] == ""
    assert users[example["RABBITMQ_USER"]]["tags"] == "administrator"
    missing = _rendered(tmp_path, {k: v for k, v in env.items() if k != BROKER_PASSWORDS[0]})
    assert missing.returncode != 0
    assert f"set {BROKER_PASSWORDS[0]} in .env" in missing.stderr
    unsafe = _rendered(tmp_path, {**env, "RABBITMQ_PASSWORD": 'a"b'})
    assert unsafe.returncode != 0
    assert "URL-safe characters only" in unsafe.stderr


NODE = shutil.which("node")
#: Runs a mongosh script in Node with the shell's globals replaced by recorders (no
#: MongoDB server can be had here): prints what it did, as JSON.
MONGOSH_STAND_IN = """
const fs = require("fs"), vm = require("vm");
const [script, env, primary] = process.argv.slice(1);
const did = [];
const context = {
  process: { env: JSON.parse(env) },
  db: {
    getSiblingDB: (name) => ({ createUser: (user) => did.push(["createUser", name, user]) }),
    hello: () => ({ isWritablePrimary: primary === "primary" }),
  },
  rs: {
    status: () => { throw new Error("no replset config has been received"); },
    initiate: (config) => did.push(["initiate", config]),
  },
  quit: (code) => did.push(["quit", code]),
};
try { vm.runInNewContext(fs.readFileSync(script, "utf8"), context); }
catch (error) { did.push(["error", error.message]); }
console.log(JSON.stringify(did));
"""


def _mongosh_script(script: Path, env: dict[str, str], primary: bool = True) -> list[Any]:
    if NODE is None:
        pytest.skip("node is needed to run the mongosh scripts (apt-get install nodejs)")
    done = subprocess.run(
        [
            NODE,
            "-e",
            MONGOSH_STAND_IN,
            str(script),
            json.dumps(env),
            "primary" if primary else "secondary",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    did: list[Any] = json.loads(done.stdout)
    return did


def test_the_first_start_creates_each_services_user_on_its_own_database() -> None:
    script = MONGO_DIR / "initdb" / "10-service-users.js"
    passwords = {f"MONGO_{name.upper()}_PASSWORD": f"{name}-pw" for name in APP_SERVICES}
    did = _mongosh_script(script, {**passwords, "MONGO_DATABASE_PREFIX": "p_"})
    assert did == [
        [
            "createUser",
            "admin",
            {
                "user": name,
                "pwd": f"{name}-pw",
                "roles": [{"role": "readWrite", "db": f"p_{name}"}],
            },
        ]
        for name in APP_SERVICES
    ]
    del passwords["MONGO_ORDERS_PASSWORD"]
    assert _mongosh_script(script, passwords)[-1] == ["error", "MONGO_ORDERS_PASSWORD is not set"]


def test_the_healthcheck_initiates_the_replica_set_and_waits_for_the_primary() -> None:
    script = MONGO_DIR / "healthcheck.js"
    initiate = ["initiate", {"_id": "rs0", "members": [{"_id": 0, "host": "mongo:27017"}]}]
    assert _mongosh_script(script, {}) == [initiate, ["quit", 0]]
    assert _mongosh_script(script, {}, primary=False) == [initiate, ["quit", 1]]


def test_the_engine_stand_in_is_reached_without_credentials() -> None:
    # nx-27017 has no access control: the stand-ins' override drops the key-file
    # entrypoint and the services' credentials (a gap of the stand-in, not production's).
    stand_ins: dict[str, Any] = yaml.safe_load(STAND_INS_FILE.read_text())["services"]
    assert stand_ins["mongo"]["entrypoint"] == []
    for name in APP_SERVICES:
        assert stand_ins[name]["environment"]["MONGO_URL"] == (
            "mongodb://mongo:27017/?directConnection=true"
        )


def _cluster() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load(CLUSTER_FILE.read_text())["services"]
    return services


def test_the_cluster_file_is_valid_with_the_example_settings(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    shutil.copy(ENV_EXAMPLE, env_file)
    for files in ((CLUSTER_FILE,), (STAND_INS_FILE, CLUSTER_FILE, CLUSTER_STAND_INS_FILE)):
        result = _compose_config(env_file, *files)
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_cluster_needs_its_cookie(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    lines = ENV_EXAMPLE.read_text().splitlines(keepends=True)
    env_file.write_text("".join(line for line in lines if "ERLANG_COOKIE=" not in line))
    result = _compose_config(env_file, CLUSTER_FILE)
    assert result.returncode != 0
    assert "set RABBITMQ_ERLANG_COOKIE in .env" in result.stdout + result.stderr


def test_the_cluster_is_three_official_nodes_the_services_reach_by_one_name() -> None:
    cluster, base = _cluster(), _services()
    nodes = ("rabbitmq", "rabbitmq-2", "rabbitmq-3")
    assert set(cluster) == {*nodes, "rabbitmq-members", *APP_SERVICES}
    # Nodes 2 and 3 run the production node's image; only the stand-ins' file changes it.
    assert {cluster[name]["image"] for name in (*nodes[1:], "rabbitmq-members")} == {
        base["rabbitmq"]["image"]
    }
    stand_ins: dict[str, Any] = yaml.safe_load(CLUSTER_STAND_INS_FILE.read_text())["services"]
    assert stand_ins == {
        name: {"image": "marketplace-local/rabbitmq:3"} for name in (*nodes[1:], "rabbitmq-members")
    }
    # Node 1 loads the users, rights and topology (the base file); nodes 2 and 3 join it.
    for name in nodes[1:]:
        assert "entrypoint" not in cluster[name]
    # Once the three run, each quorum queue gets a member on nodes 2 and 3.
    members = cluster["rabbitmq-members"]
    assert "grow" in members["command"][0]
    assert set(members["depends_on"]) == set(nodes)
    # Each node a name of its own for the cluster, and all three the name the services use.
    assert cluster["rabbitmq"]["networks"]["default"]["aliases"] == ["rabbitmq-1"]
    for name in nodes[1:]:
        assert cluster[name]["hostname"] == name
        assert cluster[name]["networks"]["default"]["aliases"] == ["rabbitmq"]
        assert all(str(port).startswith("127.0.0.1:") for port in cluster[name]["ports"])
        assert cluster[name]["depends_on"] == {"rabbitmq": {"condition": "service_healthy"}}
    assert "@rabbitmq:5672/" in _app_environment()["AMQP_URL"]
    for name in APP_SERVICES:
        assert set(cluster[name]["depends_on"]) == {"mongo", *nodes, "rabbitmq-members"}
        assert cluster[name]["depends_on"]["rabbitmq-members"] == {
            "condition": "service_completed_successfully"
        }


def test_env_is_git_ignored() -> None:
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()


def test_a_failed_sessions_tracebacks_are_picked_from_the_containers_logs() -> None:
    logs = "\n".join(
        [
            "orders_1  | INFO started",
            "orders_1  | Traceback (most recent call last):",
            "review_1  | INFO unrelated",
            'orders_1  |   File "x.py", line 1, in f',
            "orders_1  | KeyError: 'payload'",
        ]
    )
    assert tracebacks(logs) == [
        "orders_1  | Traceback (most recent call last):",
        'orders_1  |   File "x.py", line 1, in f',
        "orders_1  | KeyError: 'payload'",
    ]
    assert tracebacks("orders_1  | INFO started") == []


def test_the_console_reaches_each_service_and_verifies_tokens_as_they_do() -> None:
    from console.settings import ConsoleSettings

    console = _services()["console"]
    environment = dict(console["environment"])
    for name in APP_SERVICES:  # each service by its compose name, at its container port
        assert environment[f"{name.upper()}_URL"] == f"http://{name}:{DEFAULT_PORTS[name]}"
    services = _app_environment()
    auth = {key for key in services if key.startswith("AUTH_") or key == "ENVIRONMENT"}
    assert {key: environment[key] for key in auth} == {key: services[key] for key in auth}
    assert set(console["depends_on"]) == set(APP_SERVICES)
    assert console["volumes"] == _services()["review"]["volumes"][1:]  # the JWKS mount
    read = {
        str(f.validation_alias or name).upper() for name, f in ConsoleSettings.model_fields.items()
    }
    missing = read - set(environment) - {"HOST", "CONSOLE_PORT", "MAX_HEADER_BYTES"}
    assert not missing, f"add to the console's environment in docker-compose.yml: {missing}"
    example = read_env_file(ENV_EXAMPLE)
    assert not {k for k in environment if k.startswith("CONSOLE_")} - set(example)
