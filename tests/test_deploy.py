"""The deploy files (deploy/) describe the fleet the tests run as processes, and only name
settings the code reads. No container is started: this machine has no Docker daemon."""

import re
from pathlib import Path

import yaml

from bot.telegram.app import WEBHOOK_PATH
from harness import ROOT

DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
KUBERNETES = [doc for doc in yaml.safe_load_all((DEPLOY / "kubernetes" / "safe-harbor.yml").read_text()) if doc]


def settings_the_code_reads() -> set:
    """Every environment variable named in the code that reads settings, and rasa.env's."""
    names = set()
    for path in [ROOT / "bot" / "settings.py", *(ROOT / "components").glob("*.py")]:
        names |= set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', path.read_text()))
    names |= {line.split("=")[0] for line in (ROOT / "rasa.env").read_text().splitlines() if "=" in line}
    return names


def compose_environment(service: dict) -> dict:
    return service.get("environment") or {}


def test_every_image_names_a_version():
    images = [service["image"] for service in COMPOSE["services"].values()]
    images += [c["image"] for doc in KUBERNETES if doc["kind"] == "Deployment"
               for c in doc["spec"]["template"]["spec"]["containers"]]
    for image in images:
        assert ":" in image and not image.endswith(":latest"), image


def test_compose_and_kubernetes_set_only_settings_the_code_reads():
    known = settings_the_code_reads()
    named = {name for service in COMPOSE["services"].values() if service.get("image", "").startswith("safe-harbor")
             for name in compose_environment(service)}
    named |= {entry["name"] for doc in KUBERNETES if doc["kind"] == "Deployment"
              for c in doc["spec"]["template"]["spec"]["containers"] for entry in c.get("env", [])}
    header = (DEPLOY / "kubernetes" / "safe-harbor.yml").read_text().split("apiVersion")[0]
    named |= set(re.findall(r"\b([A-Z][A-Z_]{3,}(?:_KEY|_URL|_ID|_TOKEN|_SECRET))\b", header))
    assert named - known == set(), "a deploy file sets a setting nothing reads"


def test_the_fleet_shares_postgresql_and_redis_and_no_file_keeps_a_secret():
    environment = compose_environment(COMPOSE["services"]["bot"])
    for name in ("STORE_URL", "TRACKER_STORE_URL", "LOCK_STORE_URL"):
        assert name in environment
    for name in ("TELEGRAM_BOT_TOKEN", "PSEUDONYM_KEY", "CHAT_ID_KEY", "WEBHOOK_SECRET"):
        assert environment[name] == "${" + name + "}", f"{name} must come from the environment"
    assert "${POSTGRES_PASSWORD}" in environment["STORE_URL"]


def test_health_checks_use_the_bots_endpoints_and_the_servers_pages():
    bot = next(doc for doc in KUBERNETES if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "bot")
    [container] = bot["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    metrics_port = next(e["value"] for e in container["env"] if e["name"] == "METRICS_LISTEN").split(":")[1]
    assert any(p["name"] == "metrics" and str(p["containerPort"]) == metrics_port for p in container["ports"])
    assert "/readyz" in " ".join(COMPOSE["services"]["bot"]["healthcheck"]["test"])
    for name in ("rasa", "actions", "postgres", "redis"):
        assert COMPOSE["services"][name]["healthcheck"]["test"]


def test_every_service_selects_a_deployment_and_the_webhook_reaches_the_bots():
    deployments = {doc["metadata"]["name"]: doc["spec"]["template"]["metadata"]["labels"]
                   for doc in KUBERNETES if doc["kind"] == "Deployment"}
    for service in (doc for doc in KUBERNETES if doc["kind"] == "Service"):
        assert service["spec"]["selector"] == deployments[service["metadata"]["name"]]
    [ingress] = [doc for doc in KUBERNETES if doc["kind"] == "Ingress"]
    [path] = ingress["spec"]["rules"][0]["http"]["paths"]
    assert path["path"] == f"/{WEBHOOK_PATH}" and path["backend"]["service"]["name"] == "bot"
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert f"location /{WEBHOOK_PATH}" in nginx and "proxy_next_upstream error;" in nginx


def test_the_containers_endpoints_differ_from_the_checkouts_only_in_the_action_servers_address():
    checkout = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    containers = yaml.safe_load((DEPLOY / "endpoints.yml").read_text())
    assert containers["action_endpoint"]["url"] == "http://actions:5055/webhook"
    checkout.pop("action_endpoint"), containers.pop("action_endpoint")
    assert containers == checkout


def test_the_image_is_built_with_the_projects_own_install_and_runs_unprivileged():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11\.\d+-slim", dockerfile, re.M)
    assert "scripts/install.sh" in dockerfile and re.search(r"^USER \d+", dockerfile, re.M)
    assert Path(ROOT / "scripts" / "install.sh").exists()
