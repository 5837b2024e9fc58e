"""Helplines and services by region, read once from data/resources/<REGION>.yml.

Content lives in YAML so organisations can change numbers without touching
code. Non-law-enforcement entries are always offered first. A region nobody
named has no resources: nothing is presented as local until the region is known
(voice rule 10). Files are checked by `check_all_region_files`, called at
start-up, never on import.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple
from urllib.parse import urlparse

import yaml

from knowledge.needs import needs
from knowledge.paths import RESOURCES_DIR

REGION_FILE = re.compile(r"^[A-Z]{2}$")
KINDS = {"helpline", "text", "chat", "crisis", "emergency", "legal", "shelter"}
PHONE = re.compile(r"^\+?[0-9](?:[0-9 \-]{1,18})[0-9]$")
PHONE_WAYS = {"call", "text"}
URL_WAYS = {"chat", "web"}


@dataclass(frozen=True)
class Resource:
    """One helpline or service, as written in a region file."""

    name: Text
    kind: Text
    contact: Dict[Text, Text]
    hours: Text
    languages: List[Text]
    law_enforcement: bool
    confidential: bool
    source: Text
    checked: Text
    notes: Dict[Text, Text] = field(default_factory=dict)
    names: Dict[Text, Text] = field(default_factory=dict)  # the service's own name in another language
    hours_in: Dict[Text, Text] = field(default_factory=dict)  # `hours` written in another language
    helps_with: List[Text] = field(default_factory=list)

    def describe(self, language: Text) -> Text:
        """One plain line: name, how to reach it, when, and a note if any (in `language`)."""
        labels = channel_labels(language)
        hours = self.hours_in.get(language) or labels.get(f"hours_{self.hours}", self.hours)
        line = f"{self.names.get(language) or self.name}: {self.contact_only(language)} ({labels['hours']}: {hours})"
        note = self.notes.get(language)
        return f"{line}\n{note}" if note else line

    def contact_only(self, language: Text, ways: Tuple[Text, ...] = ("call", "text", "chat", "web")) -> Text:
        """How to reach it, with no name: "Call 988 · Text 988" (only `ways`: a chat link names the service)."""
        labels = channel_labels(language)
        return " · ".join(f"{labels[way]} {value}" for way, value in self.contact.items() if way in ways)


@lru_cache(maxsize=None)
def channel_labels(language: Text) -> Dict[Text, Text]:
    """Words for call/text/chat in `language`, English when not translated."""
    labels = yaml.safe_load((RESOURCES_DIR / "channels.yml").read_text("utf-8"))
    return labels.get(language, labels["en"])


@lru_cache(maxsize=None)
def read_region_file(region: Text) -> Dict:
    """The parsed `<region>.yml`; empty for an unknown or malformed name."""
    path = RESOURCES_DIR / f"{region}.yml"
    if not REGION_FILE.match(region) or not path.is_file():
        return {}
    return yaml.safe_load(path.read_text("utf-8"))


def load_region(region: Text) -> List[Resource]:
    """Every resource of `region`, in file order; empty for an unknown region."""
    return [
        Resource(**{**entry, "checked": str(entry["checked"])})
        for entry in read_region_file(region).get("resources", [])
    ]


def region_name(region: Text, language: Text) -> Text:
    """How the region is called in `language` (its code when not translated)."""
    names = read_region_file(region).get("names", {})
    return names.get(language) or names.get("en") or region


@lru_cache(maxsize=None)
def regions() -> Tuple[Text, ...]:
    """Region codes that have a resource file (read once: no per-message disk access)."""
    return tuple(sorted(p.stem for p in RESOURCES_DIR.glob("*.yml") if REGION_FILE.match(p.stem)))


def known_region(region: Optional[Text]) -> Optional[Text]:
    """`region` if it has a file, else None: unknown, to be asked."""
    return region if region in regions() else None


def ranked(entries: List[Resource], language: Text) -> List[Resource]:
    """Not law enforcement first, then those in the survivor's language; stable."""
    return sorted(entries, key=lambda r: (r.law_enforcement, language not in r.languages))


def in_region(region: Optional[Text]) -> List[Resource]:
    """Every resource of a known region; none when the region is unknown."""
    known = known_region(region)
    return load_region(known) if known else []


def find(region: Optional[Text], kind: Text, language: Text) -> List[Resource]:
    """Resources of `kind` in `region`, best first."""
    return ranked([r for r in in_region(region) if r.kind == kind], language)


def helplines(region: Optional[Text], language: Text) -> List[Resource]:
    """Everything to offer for "where can I get help": not the emergency number."""
    return ranked([r for r in in_region(region) if r.kind != "emergency"], language)


def for_need(region: Optional[Text], need: Text, language: Text) -> List[Resource]:
    """Resources that help with `need`, best first."""
    return ranked([r for r in in_region(region) if need in r.helps_with], language)


def is_https_url(value: Any) -> bool:
    parsed = urlparse(str(value))
    return parsed.scheme == "https" and "." in parsed.netloc and " " not in str(value)


def problems(document: Any, region: Text) -> List[Text]:
    """Everything wrong with one region file, as plain sentences (empty when fine)."""
    if not isinstance(document, dict) or not isinstance(document.get("resources"), list):
        return [f"{region}: needs a `resources` list"]
    found = [] if document.get("region") == region else [f"{region}: `region` must be {region}"]
    required = {f.name for f in fields(Resource) if f.name not in ("notes", "helps_with", "names", "hours_in")}
    for number, entry in enumerate(document["resources"], 1):
        where = f"{region} entry {number} ({entry.get('name', '?')})"
        missing = sorted(required - set(entry))
        unknown = sorted(set(entry) - {f.name for f in fields(Resource)})
        found += [f"{where}: missing field `{name}`" for name in missing]
        found += [f"{where}: unknown field `{name}`" for name in unknown]
        if entry.get("kind") not in KINDS:
            found.append(f"{where}: kind must be one of {sorted(KINDS)}")
        contact = entry.get("contact")
        if not isinstance(contact, dict) or not contact:
            found.append(f"{where}: contact must map call/text/chat/web to a value")
            contact = {}
        for way, value in contact.items():
            if way in PHONE_WAYS and not PHONE.match(str(value)):
                found.append(f"{where}: {way} {value!r} is not a phone number")
            elif way in URL_WAYS and not is_https_url(value):
                found.append(f"{where}: {way} {value!r} is not an https URL")
            elif way not in PHONE_WAYS | URL_WAYS:
                found.append(f"{where}: unknown contact way `{way}`")
        if "source" in entry and not is_https_url(entry["source"]):
            found.append(f"{where}: source {entry['source']!r} is not an https URL")
        if "checked" in entry and not isinstance(entry["checked"], datetime.date):
            found.append(f"{where}: checked must be a date (YYYY-MM-DD)")
        for flag in ("law_enforcement", "confidential"):
            if flag in entry and not isinstance(entry[flag], bool):
                found.append(f"{where}: {flag} must be true or false")
        if not all(isinstance(l, str) and len(l) == 2 for l in entry.get("languages") or [None]):
            found.append(f"{where}: languages must be two-letter codes")
        unknown_needs = set(entry.get("helps_with", [])) - set(needs())
        if unknown_needs:
            found.append(f"{where}: helps_with has unknown needs {sorted(unknown_needs)}")
    return found


def check_all_region_files(default_region: Optional[Text] = None) -> None:
    """At start-up: stop, in one clear line, on a bad resource file or a default without one."""
    found = [p for region in regions() for p in problems(read_region_file(region), region)]
    if found:
        raise SystemExit("Bad resource file: " + "; ".join(found))
    if default_region is not None and default_region not in regions():
        raise SystemExit(
            f"DEFAULT_REGION={default_region!r} has no data/resources/{default_region}.yml "
            f"(known: {', '.join(regions())})."
        )
