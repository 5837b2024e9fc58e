"""Resource lookup: non-law-enforcement first, the survivor's language next."""

import datetime

import pytest

from knowledge import resources


def test_every_region_file_loads_with_the_documented_fields():
    assert {"US", "GB"} <= set(resources.regions())
    for region in resources.regions():
        entries = resources.load_region(region)
        assert entries, region
        kinds = {entry.kind for entry in entries}
        assert {"crisis", "emergency"} <= kinds, f"{region} needs a crisis line and an emergency number"


def entry(**overrides):
    fields = dict(name="Line", kind="helpline", contact={"call": "0800 123 456"}, hours="24/7",
                  languages=["en"], law_enforcement=False, confidential=True,
                  source="https://example.org/help", checked=datetime.date(2026, 11, 22))
    return {**fields, **overrides}


def test_law_enforcement_entries_come_last_then_the_survivors_language():
    entries = [resources.Resource(**entry(name="enforcement", law_enforcement=True, languages=["es"])),
               resources.Resource(**entry(name="english only")),
               resources.Resource(**entry(name="spanish", languages=["en", "es"]))]
    assert [r.name for r in resources.ranked(entries, "es")] == ["spanish", "english only", "enforcement"]


def test_helplines_never_list_the_emergency_number():
    listed = resources.helplines("US", "en")
    assert listed and all(r.kind != "emergency" for r in listed)
    assert all(not r.law_enforcement for r in listed)


def test_resources_for_a_need_come_from_helps_with():
    names = [r.name for r in resources.for_need("US", "shelter", "en")]
    assert "National Human Trafficking Hotline" in names and "211" in names
    assert "988 Suicide & Crisis Lifeline" not in names


def test_every_real_resource_file_is_valid():
    for region in resources.regions():
        assert resources.problems(resources.read_region_file(region), region) == []
    resources.check_all_region_files("US")  # what the action server and the bot run at start-up


def test_required_helplines_are_listed():
    us = {r.name: r for r in resources.load_region("US")}
    hotline = us["National Human Trafficking Hotline"]
    assert hotline.contact["call"] == "1-888-373-7888" and hotline.contact["text"] == "233733"
    assert not hotline.law_enforcement and hotline.confidential and hotline.hours == "24/7"
    assert {"988 Suicide & Crisis Lifeline", "National Domestic Violence Hotline",
            "RAINN National Sexual Assault Hotline"} <= set(us)
    gb = {r.name: r for r in resources.load_region("GB")}
    assert gb["Modern Slavery & Exploitation Helpline"].contact["call"] == "08000 121 700"
    assert gb["Samaritans"].contact["call"] == "116 123"
    assert gb["National Domestic Abuse Helpline"].contact["call"] == "0808 2000 247"


@pytest.mark.parametrize("broken, complaint", [
    ({"source": None}, "missing field `source`"),
    ({"source": "not a url"}, "source 'not a url' is not an https URL"),
    ({"source": "http://insecure.example.org"}, "is not an https URL"),
    ({"contact": {"call": "call us maybe"}}, "call 'call us maybe' is not a phone number"),
    ({"contact": {"text": "+44 (0) 12"}}, "is not a phone number"),
    ({"contact": {"chat": "www.example.org"}}, "chat 'www.example.org' is not an https URL"),
    ({"contact": {"fax": "123"}}, "unknown contact way `fax`"),
    ({"kind": "police"}, "kind must be one of"),
    ({"checked": "last week"}, "checked must be a date"),
    ({"law_enforcement": "no"}, "law_enforcement must be true or false"),
    ({"helps_with": ["magic"]}, "helps_with has unknown needs ['magic']"),
])
def test_a_broken_resource_file_is_reported_in_plain_words(broken, complaint):
    bad = entry(**broken)
    bad = {k: v for k, v in bad.items() if v is not None}
    found = resources.problems({"region": "ZZ", "resources": [bad]}, "ZZ")
    assert any(complaint in problem for problem in found), found


def test_a_valid_entry_has_no_problems():
    assert resources.problems({"region": "ZZ", "resources": [entry()]}, "ZZ") == []


def test_survivors_language_is_preferred():
    [crisis] = resources.find("US", "crisis", "es")
    assert "es" in crisis.languages


def test_description_is_in_the_survivors_language():
    [crisis] = resources.find("US", "crisis", "es")
    line = crisis.describe("es")
    assert line.startswith("Línea 988 de Prevención del Suicidio y Crisis: Llama al 988")
    assert line.split("\n")[0].endswith("(Horario: día y noche)"), "hours in words, in Spanish"
    assert "Para español" in line
    assert crisis.describe("en").startswith("988 Suicide & Crisis Lifeline: Call 988 · Text 988")


def test_hours_written_for_another_language_are_used_in_it():
    [citizens] = [r for r in resources.load_region("GB") if r.name.startswith("Citizens Advice")]
    assert "(Horario: lunes a viernes de 9 a 17 h)" in citizens.describe("es")
    assert "(Open: Mon–Fri 9am–5pm)" in citizens.describe("en")


def test_an_unknown_region_has_no_resources_never_a_default():
    assert resources.find("ZZ", "crisis", "en") == []
    assert resources.find(None, "crisis", "en") == []
    assert resources.helplines(None, "en") == [] and resources.for_need(None, "shelter", "en") == []


def test_a_default_region_without_a_file_stops_start_up_with_one_clear_line():
    with pytest.raises(SystemExit, match="DEFAULT_REGION='XX' has no data/resources/XX.yml"):
        resources.check_all_region_files("XX")


def test_a_bad_region_file_stops_start_up_with_one_clear_line(monkeypatch):
    monkeypatch.setattr(resources, "read_region_file", lambda region: {"region": region, "resources": [{}]})
    with pytest.raises(SystemExit, match="^Bad resource file: GB entry 1 .*missing field `name`"):
        resources.check_all_region_files("US")


def test_region_names_cannot_reach_outside_the_resources_folder():
    assert resources.load_region("../US") == []
