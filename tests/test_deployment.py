"""The shared deployment (docker-compose.yml) keeps the promises it makes to operators.

Security stays on, secrets are required rather than defaulted, nothing starts before what it
needs is healthy, the API verifies OpenSearch's certificate, and every port is published on
the loopback interface only. A slip in any of these would pass unnoticed until a deployment
went wrong, and no container is started here (this machine has no Docker engine), so the file
is checked as data; `docker compose config` validates it as well where the CLI is installed.
"""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
REQUIRED_VARIABLES = ("POSTGRES_PASSWORD", "OPENSEARCH_ADMIN_PASSWORD")


def services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load(COMPOSE_FILE.read_text("utf-8"))
    assert isinstance(compose, dict)
    found = compose["services"]
    assert isinstance(found, dict)
    return found


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping, whichever of compose's two forms it uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (str(item).partition("=") for item in env)
        return {key: value for key, _, value in pairs}
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def depends_on(service: dict[str, Any]) -> dict[str, Any]:
    """The list form of depends_on has no condition: as a mapping, each entry shows its own."""
    needs = service.get("depends_on") or {}
    if isinstance(needs, list):
        return {str(name): {} for name in needs}
    assert isinstance(needs, dict)
    return needs


def test_the_four_services_are_deployed() -> None:
    assert {"opensearch", "dashboards", "postgres", "api"} <= services().keys()


def test_no_service_disables_the_security_plugin() -> None:
    for name, service in services().items():
        for key, value in environment(service).items():
            assert "DISABLE_SECURITY" not in key.upper(), f"{name} sets {key}"
            if key == "plugins.security.disabled":
                assert value.lower() != "true", f"{name} disables the security plugin"


def test_the_opensearch_admin_password_is_a_required_variable() -> None:
    password = environment(services()["opensearch"])["OPENSEARCH_INITIAL_ADMIN_PASSWORD"]
    # ${NAME:?message}: compose refuses to start without it, rather than use an empty default.
    assert re.fullmatch(r"\$\{OPENSEARCH_ADMIN_PASSWORD:\?[^}]*\}", password), password


def test_services_start_only_after_what_they_need_is_healthy() -> None:
    deployed = services()
    for name, service in deployed.items():
        for needed, how in depends_on(service).items():
            assert how.get("condition") == "service_healthy", f"{name} -> {needed}: {how}"
            healthcheck = deployed[needed].get("healthcheck") or {}
            assert healthcheck.get("test") and not healthcheck.get("disable"), (
                f"{name} waits for {needed}, which has no healthcheck"
            )


def test_the_api_reaches_the_register_and_a_verified_opensearch() -> None:
    deployed = services()
    api = deployed["api"]
    env = environment(api)
    assert env["VISOR_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "VISOR_OPENSEARCH_VERIFY_CERTS" not in env
    opensearch_url = urlsplit(env["VISOR_OPENSEARCH_URL"])
    assert opensearch_url.scheme == "https"
    # Certificate verification checks the host name too: the API must use a name the node
    # answers to on the network (its service name or an alias), named in its certificate.
    network = (deployed["opensearch"].get("networks") or {}).get("default") or {}
    assert opensearch_url.hostname in {"opensearch", *network.get("aliases", [])}
    # The CA file lies in a read-only mount.
    ca_certs = Path(env["VISOR_OPENSEARCH_CA_CERTS"])
    mounts = [str(volume).split(":") for volume in api.get("volumes", [])]
    assert any(
        len(mount) == 3 and ca_certs.is_relative_to(mount[1]) and mount[2] == "ro"
        for mount in mounts
    ), f"{ca_certs} is not in a read-only mount: {mounts}"


def test_ports_are_published_on_the_loopback_interface_only() -> None:
    for name, service in services().items():
        for port in service.get("ports", []):
            if isinstance(port, dict):
                assert port.get("host_ip") == "127.0.0.1", f"{name}: {port}"
            else:
                assert str(port).startswith("127.0.0.1:"), f"{name}: {port}"


def test_the_api_image_runs_as_a_non_root_user() -> None:
    users = re.findall(r"^USER\s+(\S+)", (ROOT / "Dockerfile").read_text("utf-8"), flags=re.M)
    assert users, "the Dockerfile never leaves root"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_the_api_image_has_pg_dump_of_the_servers_major_version() -> None:
    """`visor backup` runs pg_dump in the API container; pg_dump refuses a newer server, so
    the client the image installs must be the major of the compose file's postgres image."""
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    pinned = re.search(r"^ARG\s+POSTGRES_MAJOR=(\d+)\s*$", dockerfile, flags=re.M)
    assert pinned, "the Dockerfile does not pin POSTGRES_MAJOR"
    assert '"postgresql-client-${POSTGRES_MAJOR}"' in dockerfile
    image = str(services()["postgres"]["image"])
    server_major = image.rpartition(":")[2].split(".")[0]
    assert server_major == pinned.group(1), (image, pinned.group(1))
