"""Settings: safe defaults, and one clear line naming any bad setting."""

import stat

import pytest

from bot.settings import SettingsError, load, read_env_file


def test_the_console_needs_no_setting_at_all(tmp_path):
    settings = load({}, var=tmp_path / "var")
    assert settings.telegram_bot_token is None
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.store_url == f"sqlite:///{tmp_path / 'var' / 'bot.sqlite3'}"
    assert (settings.retention_hours, settings.default_region) == (72.0, None), "no region assumed: asked"


@pytest.mark.parametrize("name", ["pseudonym", "chat_id"])
def test_missing_keys_are_generated_once_owner_only_outside_the_data_folder(tmp_path, name):
    var = tmp_path / "var"
    first = getattr(load({}, var=var), f"{name}_key")
    assert first == getattr(load({}, var=var), f"{name}_key") and len(first) >= 32
    assert stat.S_IMODE((tmp_path / "keys" / f"{name}.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert not list(var.glob("*.key")), "a copy of var/ holds no key"


def test_the_two_keys_differ_and_keys_dir_moves_them(tmp_path):
    settings = load({"KEYS_DIR": str(tmp_path / "elsewhere")}, var=tmp_path / "var")
    assert settings.pseudonym_key != settings.chat_id_key
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["chat_id.key", "pseudonym.key"]


def test_a_pseudonym_key_an_earlier_version_kept_in_var_is_moved_out_unchanged(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    (var / "pseudonym.key").write_text("an-old-key-that-names-every-pseudonym-already")
    (var / "pseudonym.key").chmod(0o600)
    assert load({}, var=var).pseudonym_key == b"an-old-key-that-names-every-pseudonym-already"
    assert not (var / "pseudonym.key").exists() and (tmp_path / "keys" / "pseudonym.key").exists()


def test_a_key_file_others_can_read_is_refused(tmp_path):
    load({}, var=tmp_path / "var")
    (tmp_path / "keys" / "chat_id.key").chmod(0o644)
    with pytest.raises(SettingsError, match="CHAT_ID_KEY file .*chmod 600"):
        load({}, var=tmp_path / "var")


@pytest.mark.parametrize("env, message", [
    ({"TELEGRAM_BOT_TOKEN": "123:abc"}, "ADVOCATE_CHAT_ID (or ADVOCATE_CHAT_IDS) is required when"),
    ({"ADVOCATE_CHAT_IDS": "-1001:es,-1002:xx"}, "ADVOCATE_CHAT_IDS: no texts for language xx"),
    ({"ADVOCATE_CHAT_IDS": "-1001,advocates"}, "ADVOCATE_CHAT_IDS: 'advocates' is not a Telegram chat id"),
    ({"TELEGRAM_BOT_TOKEN": "nonsense", "ADVOCATE_CHAT_ID": "-1"}, "TELEGRAM_BOT_TOKEN does not look like"),
    ({"TELEGRAM_BOT_TOKEN": "1:a", "ADVOCATE_CHAT_ID": "advocates"}, "ADVOCATE_CHAT_ID: 'advocates' is not a Telegram chat id"),
    ({"RETENTION_HOURS": "soon"}, "RETENTION_HOURS='soon' is not a number."),
    ({"RETENTION_HOURS": "0"}, "RETENTION_HOURS='0' must be greater than zero."),
    ({"RASA_URL": "localhost:5005"}, "RASA_URL='localhost:5005' is not an http(s) URL."),
    ({"STORE_URL": "mysql://x"}, "STORE_URL='mysql://x' must be"),
    ({"DEFAULT_REGION": "USA"}, "DEFAULT_REGION='USA' must be a two-letter region code."),
    ({"DEFAULT_REGION": "xx"}, "DEFAULT_REGION='XX' has no data/resources/XX.yml (known: GB, UA, US)."),
    ({"PSEUDONYM_KEY": "short"}, "PSEUDONYM_KEY must be at least 32 characters."),
    ({"CHAT_ID_KEY": "short"}, "CHAT_ID_KEY must be at least 32 characters."),
    ({"ADVOCATE_IDS": "501, ana"}, "ADVOCATE_IDS='501, ana' must be Telegram user ids"),
    ({"WEBHOOK_URL": "https://bot.example.org/telegram"}, "WEBHOOK_SECRET is required"),
    ({"WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": "has spaces!" * 4},
     "WEBHOOK_SECRET must be 32-256 characters"),
    ({"WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": "x"},
     "WEBHOOK_SECRET must be 32-256 characters"),
    ({"HANDOFF_HOURS": "weekdays 9-5"}, "HANDOFF_HOURS/HANDOFF_TIMEZONE: 'weekdays 9-5' is not like"),
    ({"HANDOFF_TIMEZONE": "Mars/Olympus"}, "not a valid time or time zone"),
    ({"HANDOFF_WAIT_MINUTES": "-1"}, "HANDOFF_WAIT_MINUTES='-1' must be greater than zero."),
])
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(tmp_path, env, message):
    with pytest.raises(SettingsError) as error:
        load(env, var=tmp_path / "var")
    assert message in str(error.value) and "\n" not in str(error.value)


def test_env_file_lines(tmp_path):
    path = tmp_path / ".env"
    path.write_text("# comment\nRASA_URL='http://rasa:5005'\n\nRETENTION_HOURS = 24\nexport DEFAULT_REGION=gb\n")
    assert read_env_file(path) == {"RASA_URL": "http://rasa:5005", "RETENTION_HOURS": "24", "DEFAULT_REGION": "gb"}
    assert read_env_file(tmp_path / "missing.env") == {}


def test_advocate_ids_is_an_optional_allowlist(tmp_path):
    assert load({}, var=tmp_path / "var").advocate_ids is None
    assert load({"ADVOCATE_IDS": "501, 502,"}, var=tmp_path / "var").advocate_ids == {501, 502}


def test_several_advocate_groups_each_with_an_optional_language(tmp_path):
    settings = load({"ADVOCATE_CHAT_IDS": "-1001:es, -1002:EN,-1003"}, var=tmp_path / "var")
    assert [(g.chat_id, g.language) for g in settings.advocate_groups] == [(-1001, "es"), (-1002, "en"), (-1003, None)]
    assert settings.advocate_chat_id == -1001
    assert [g.chat_id for g in load({"ADVOCATE_CHAT_ID": "-1009"}, var=tmp_path / "var").advocate_groups] == [-1009]
