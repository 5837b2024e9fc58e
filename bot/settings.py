"""Settings from the environment (and a `.env` file if present), checked once.

Every setting has a safe default where one exists. A malformed setting, or a
missing one that has no default, stops start-up with one line that names it.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, List, Mapping, Optional, Text, Tuple
from urllib.parse import urlparse

from dotenv import dotenv_values

from bot.groups import AdvocateGroup
from bot.groups import parse as parse_groups
from bot.hours import ALWAYS, Hours, HoursError, parse
from bot.texts import all_texts
from knowledge.resources import regions

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{32,256}")  # Telegram allows 1-256; fewer than 32 is guessable


class SettingsError(SystemExit):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    telegram_bot_token: Optional[Text]
    advocate_chat_id: Optional[int]  # the first advocates' group (the only one unless ADVOCATE_CHAT_IDS)
    advocate_groups: Tuple[AdvocateGroup, ...]
    advocate_ids: Optional[FrozenSet[int]]  # ADVOCATE_IDS: only these accounts may act on cases
    pseudonym_key: bytes
    chat_id_key: bytes
    rasa_url: Text
    telegram_api_base_url: Text
    store_url: Text
    retention_hours: float
    default_region: Optional[Text]  # None: the survivor is asked where they are (voice rule 10)
    rasa_timeout: float
    webhook_url: Optional[Text]
    webhook_secret: Optional[Text]
    webhook_listen: Text
    webhook_port: int
    handoff_wait_minutes: float
    handoff_hours: Hours
    advocate_language: Text
    max_messages_per_second: float
    metrics_listen: Optional[Text]  # host:port of /healthz, /readyz, /metrics; None: off
    action_health_url: Text
    alert_check_seconds: float
    alert_repeat_minutes: float
    rasa_down_alert_seconds: float
    relay_backlog_alert: int
    log_format: Text  # "json" (one JSON object a line) or "text"


def read_env_file(path: Path) -> Dict[Text, Text]:
    """The `.env` file's settings (python-dotenv's syntax); empty when there is none."""
    return {key: value or "" for key, value in dotenv_values(path).items()}


def _number(env: Mapping[Text, Text], name: Text, default: float, kind=float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number.") from None
    if value <= 0:
        raise SettingsError(f"{name}={raw!r} must be greater than zero.")
    return value


def _url(env: Mapping[Text, Text], name: Text, default: Optional[Text]) -> Optional[Text]:
    raw = env.get(name, "").strip() or default
    if raw is not None:
        parsed = urlparse(raw)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise SettingsError(f"{name}={raw!r} is not an http(s) URL.")
    return raw


def _urls(env: Mapping[Text, Text], name: Text, default: Text) -> Text:
    """One URL, or several comma-separated (Rasa replicas), each checked."""
    raw = env.get(name, "").strip() or default
    for part in raw.split(","):
        _url({name: part}, name, None)
    return raw


def secret_key(env: Mapping[Text, Text], name: Text, keys: Path, legacy: Optional[Path] = None) -> bytes:
    """`name` from the environment, or a key generated once into keys/ (0600, in a 0700
    folder outside var/). A key an earlier version kept in var/ is moved there."""
    raw = env.get(name, "").strip()
    if raw:
        if len(raw) < 32:
            raise SettingsError(f"{name} must be at least 32 characters.")
        return raw.encode()
    path = keys / f"{name.lower().replace('_key', '')}.key"
    private_folder(keys)
    if not path.exists() and legacy is not None and legacy.exists():
        os.replace(legacy, path)
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(secrets.token_urlsafe(48))
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise SettingsError(f"{name} file {path} must be readable by its owner only (chmod 600).")
    return path.read_text().strip().encode()


def private_folder(path: Path) -> None:
    """Created if missing; readable by its owner only, whatever the umask was."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)


def load(env: Optional[Mapping[Text, Text]] = None, var: Path = VAR) -> Settings:
    """Settings from `env` (default: `.env` overlaid by the process environment). Generated
    keys go to KEYS_DIR, by default keys/ beside var/: a copy of the data alone must not
    hold the keys to it."""
    if env is None:
        env = {**read_env_file(ROOT / ".env"), **os.environ}
    keys = Path(env.get("KEYS_DIR", "").strip() or var.parent / "keys")
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token and ":" not in token:
        raise SettingsError("TELEGRAM_BOT_TOKEN does not look like a token from BotFather (id:secret).")
    groups = _advocate_groups(env)
    if token and not groups:
        raise SettingsError("ADVOCATE_CHAT_ID (or ADVOCATE_CHAT_IDS) is required when TELEGRAM_BOT_TOKEN is set.")
    store_url = env.get("STORE_URL", "").strip() or f"sqlite:///{var / 'bot.sqlite3'}"
    if store_url == f"sqlite:///{var / 'bot.sqlite3'}":
        private_folder(var)
    if not store_url.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg2://")):
        raise SettingsError(f"STORE_URL={store_url!r} must be sqlite:///PATH or postgresql://...")
    region = env.get("DEFAULT_REGION", "").strip().upper() or None  # unset: asked, never assumed
    if region is not None and (len(region) != 2 or not region.isalpha()):
        raise SettingsError(f"DEFAULT_REGION={region!r} must be a two-letter region code.")
    if region is not None and region not in regions():
        raise SettingsError(f"DEFAULT_REGION={region!r} has no data/resources/{region}.yml "
                            f"(known: {', '.join(regions())}).")
    webhook_url = _url(env, "WEBHOOK_URL", None)
    secret = env.get("WEBHOOK_SECRET", "").strip() or None
    if webhook_url and not secret:
        raise SettingsError("WEBHOOK_SECRET is required when WEBHOOK_URL is set.")
    if secret and not WEBHOOK_SECRET.fullmatch(secret):
        raise SettingsError("WEBHOOK_SECRET must be 32-256 characters of A-Z, a-z, 0-9, _ and -.")
    return Settings(
        telegram_bot_token=token,
        advocate_chat_id=groups[0].chat_id if groups else None,
        advocate_groups=tuple(groups),
        advocate_ids=_advocate_ids(env),
        pseudonym_key=secret_key(env, "PSEUDONYM_KEY", keys, legacy=var / "pseudonym.key"),
        chat_id_key=secret_key(env, "CHAT_ID_KEY", keys),
        rasa_url=_urls(env, "RASA_URL", "http://127.0.0.1:5005"),
        telegram_api_base_url=_url(env, "TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        store_url=store_url,
        retention_hours=_number(env, "RETENTION_HOURS", 72.0),
        default_region=region,
        rasa_timeout=_number(env, "RASA_TIMEOUT_SECONDS", 2.5),
        webhook_url=webhook_url,
        webhook_secret=secret,
        webhook_listen=env.get("WEBHOOK_LISTEN", "127.0.0.1").strip(),
        webhook_port=int(_number(env, "WEBHOOK_PORT", 8443, int)),
        handoff_wait_minutes=_number(env, "HANDOFF_WAIT_MINUTES", 10.0),
        handoff_hours=_hours(env),
        advocate_language=_advocate_language(env),
        max_messages_per_second=_rate(env),
        metrics_listen=_listen(env),
        action_health_url=_url(env, "ACTION_HEALTH_URL", "http://127.0.0.1:5055/health"),  # endpoints.yml's server
        alert_check_seconds=_number(env, "ALERT_CHECK_SECONDS", 15.0),
        alert_repeat_minutes=_number(env, "ALERT_REPEAT_MINUTES", 30.0),
        rasa_down_alert_seconds=_number(env, "RASA_DOWN_ALERT_SECONDS", 60.0),
        relay_backlog_alert=int(_number(env, "RELAY_BACKLOG_ALERT", 5, int)),
        log_format=_choice(env, "LOG_FORMAT", ("json", "text")),
    )


def _listen(env: Mapping[Text, Text]) -> Optional[Text]:
    """METRICS_LISTEN: host:port (default 127.0.0.1:9102); "off" turns the endpoints off."""
    raw = env.get("METRICS_LISTEN", "").strip() or "127.0.0.1:9102"
    if raw.lower() == "off":
        return None
    host, _, port = raw.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(f"METRICS_LISTEN={raw!r} must be host:port (or off).")
    return raw


def _choice(env: Mapping[Text, Text], name: Text, allowed: Tuple[Text, ...]) -> Text:
    raw = env.get(name, "").strip().lower() or allowed[0]
    if raw not in allowed:
        raise SettingsError(f"{name}={raw!r} must be one of: {', '.join(allowed)}.")
    return raw


def _advocate_groups(env: Mapping[Text, Text]) -> List[AdvocateGroup]:
    """ADVOCATE_CHAT_IDS ("-1001:es,-1002"), else the one ADVOCATE_CHAT_ID; languages checked."""
    raw = env.get("ADVOCATE_CHAT_IDS", "").strip()
    name = "ADVOCATE_CHAT_IDS" if raw else "ADVOCATE_CHAT_ID"
    raw = raw or env.get("ADVOCATE_CHAT_ID", "").strip()
    try:
        groups = list(parse_groups(raw))
    except ValueError as error:
        raise SettingsError(f"{name}: {str(error)!r} is not a Telegram chat id (a number), "
                            "optionally followed by :language.") from None
    unknown = sorted({g.language for g in groups if g.language} - set(all_texts()))
    if unknown:
        raise SettingsError(f"{name}: no texts for language {', '.join(unknown)} (known: {', '.join(all_texts())}).")
    return groups


def _advocate_ids(env: Mapping[Text, Text]) -> Optional[FrozenSet[int]]:
    """Comma-separated Telegram user ids; unset: every member of the advocates' group."""
    raw = env.get("ADVOCATE_IDS", "").strip()
    if not raw:
        return None
    try:
        return frozenset(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise SettingsError(f"ADVOCATE_IDS={raw!r} must be Telegram user ids (numbers), comma-separated.") from None


def _rate(env: Mapping[Text, Text]) -> float:
    """Telegram allows about 30 messages a second per bot; 0 turns pacing off (tests, bench)."""
    if env.get("TELEGRAM_MAX_MESSAGES_PER_SECOND", "").strip() == "0":
        return 0.0
    return _number(env, "TELEGRAM_MAX_MESSAGES_PER_SECOND", 30.0)


def _advocate_language(env: Mapping[Text, Text]) -> Text:
    language = env.get("ADVOCATE_LANGUAGE", "").strip().lower() or "en"
    if language not in all_texts():
        raise SettingsError(f"ADVOCATE_LANGUAGE={language!r} must be one of: {', '.join(all_texts())}.")
    return language


def _hours(env: Mapping[Text, Text]) -> Hours:
    spec = env.get("HANDOFF_HOURS", "").strip() or ALWAYS
    zone = env.get("HANDOFF_TIMEZONE", "").strip() or "UTC"
    try:
        return parse(spec, zone)
    except HoursError as error:
        raise SettingsError(f"HANDOFF_HOURS/HANDOFF_TIMEZONE: {error}.") from None
