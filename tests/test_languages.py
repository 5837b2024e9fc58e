"""Adding a language is data only: every listed language is complete, and a fourth, fake
one added from fixture files to a copy of the data is picked up everywhere without code.

The fake language "xx" is English with each word's letters reversed ("olleh"): easy to
tell apart, and made from the English files, so it covers every intent, response and
text there is. It is written as fixture files in the layout an organisation writes
(docs/adding-a-language.md), then merged into the copy the way that guide says.
"""

import re
import shutil
from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data

from actions.session import supported_languages
from bot.core import COMMANDS
from bot.texts import all_texts, command_menus
from components import safety_patterns
from components.language_detector import LanguageDetector
from scripts.language_check import languages, problems

ROOT = Path(__file__).resolve().parent.parent
FAKE = "xx"
KEEP = re.compile(r"(\{[^}]*\}|\[[^\]]*\]\([^)]*\)|\[[^\]]*\]\{[^}]*\}|https?://\S+|/\w+|<[^>]+>)")


def reverse_words(text):
    """Every word reversed; placeholders, annotations, commands and links kept."""
    parts = KEEP.split(text)
    return "".join(part if KEEP.fullmatch(part) else re.sub(r"[^\W\d_]+", lambda m: m.group(0)[::-1], part)
                   for part in parts)


def fake(tree):
    if isinstance(tree, str):
        return reverse_words(tree)
    if isinstance(tree, list):
        return [fake(item) for item in tree]
    if isinstance(tree, dict):
        return {key: (value if key in ("payload", "metadata", "condition") else fake(value)) for key, value in tree.items()}
    return tree


def dump(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def write_fixtures(root, folder):
    """The files an organisation writes for a new language (docs/adding-a-language.md, steps 2-6)."""
    english_blocks = [block for path in sorted((root / "data" / "nlu" / "en").glob("*.yml"))
                      for block in yaml.safe_load(path.read_text("utf-8"))["nlu"]]
    examples = lambda block: "".join(f"- {reverse_words(line[2:])}\n" for line in block["examples"].splitlines()
                                     if line.startswith("- "))  # noqa: E731
    dump(folder / "data" / "nlu" / FAKE / "all.yml", {"version": "3.1", "nlu": [
        {"intent": b["intent"], "metadata": {"language": FAKE}, "examples": examples(b)} for b in english_blocks]})
    dump(folder / "names.yml", {"version": "3.1", "nlu": [{"synonym": FAKE, "examples": "- hsilgne desrever\n"}]})
    domain = yaml.safe_load((root / "domain.yml").read_text("utf-8"))
    dump(folder / "responses.yml", {name: [{"condition": [{"type": "slot", "name": "language", "value": FAKE}],
                                            **fake({k: v for k, v in variations[-1].items() if k != "condition"})}]
                                    for name, variations in domain["responses"].items()})
    texts = yaml.safe_load((root / "bot" / "texts.yml").read_text("utf-8"))
    dump(folder / "texts.yml", {FAKE: {**fake(texts["en"]), "language_names": {
        **fake(texts["en"]["language_names"]), FAKE: "hsilgne desrever"}}})
    dump(folder / "data" / "safety" / f"{FAKE}.yml", {"language": FAKE, "words": {"pill": ["sllip"]},
                                                    "self_harm": [{"name": "xx.pills", "pattern": "{pill} ~ lla",
                                                                   "weight": 1.0}]})
    dump(folder / "data" / "safety" / "examples" / f"{FAKE}.yml", {
        "language": FAKE, "crisis_self_harm": ["efil ym dne ot tnaw i"], "immediate_danger": ["em llik lliw eh"],
        "none": ["olleh"]})
    dump(folder / "safe_messages.yml", {FAKE: ["olleh", "sey"]})


def add_language(root, folder):
    """Merge the fixture files into `root` as the guide says: no Python is touched."""
    shutil.copytree(folder / "data", root / "data", dirs_exist_ok=True)
    synonyms = yaml.safe_load((root / "data" / "nlu" / "synonyms.yml").read_text("utf-8"))
    synonyms["nlu"] += yaml.safe_load((folder / "names.yml").read_text("utf-8"))["nlu"]
    dump(root / "data" / "nlu" / "synonyms.yml", synonyms)
    domain = yaml.safe_load((root / "domain.yml").read_text("utf-8"))
    domain["slots"]["language"]["values"].append(FAKE)  # the one list
    for name, variations in yaml.safe_load((folder / "responses.yml").read_text("utf-8")).items():
        domain["responses"][name] = variations + domain["responses"][name]
    for variation in domain["responses"]["utter_choose_language"]:
        variation["buttons"].append({"title": "hsilgne desrever", "payload": f'/change_language{{"language": "{FAKE}"}}'})
    dump(root / "domain.yml", domain)
    texts = yaml.safe_load((root / "bot" / "texts.yml").read_text("utf-8"))
    for own in texts.values():
        own["language_names"][FAKE] = "hsilgne desrever"
    texts.update(yaml.safe_load((folder / "texts.yml").read_text("utf-8")))
    dump(root / "bot" / "texts.yml", texts)
    safe = yaml.safe_load((root / "tests" / "framing" / "safe_messages.yml").read_text("utf-8"))
    dump(root / "tests" / "framing" / "safe_messages.yml", {**safe, **yaml.safe_load(
        (folder / "safe_messages.yml").read_text("utf-8"))})


@pytest.fixture(scope="module")
def with_fake(tmp_path_factory):
    """A copy of the data with "xx" added from fixture files."""
    root = tmp_path_factory.mktemp("copy")
    shutil.copytree(ROOT / "data", root / "data")
    (root / "bot").mkdir()
    shutil.copy(ROOT / "bot" / "texts.yml", root / "bot" / "texts.yml")
    (root / "tests" / "framing").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "framing" / "safe_messages.yml", root / "tests" / "framing")
    shutil.copy(ROOT / "domain.yml", root / "domain.yml")
    fixtures = tmp_path_factory.mktemp("fixtures")
    write_fixtures(ROOT, fixtures)
    add_language(root, fixtures)
    return root


@pytest.mark.parametrize("language", languages())
def test_every_listed_language_is_complete(language):
    assert problems(language) == []


def test_a_fourth_language_added_as_data_only_is_complete(with_fake):
    assert languages(with_fake)[-1] == FAKE
    for language in languages(with_fake):
        assert problems(language, with_fake) == [], language


def test_rasa_reads_the_domain_with_the_new_language(with_fake):
    domain = Domain.load(str(with_fake / "domain.yml"))
    assert all(any(c.get("value") == FAKE for v in variations for c in v.get("condition") or [])
               for variations in domain.responses.values())
    assert supported_languages(domain.as_dict()) == languages(ROOT) + [FAKE]


def test_the_bots_texts_and_command_menu_have_the_new_language(with_fake):
    texts = all_texts(with_fake / "bot" / "texts.yml")
    menus = command_menus(texts)
    assert [name for name, _ in menus[FAKE]] == list(COMMANDS)
    assert menus[FAKE][0][1] == reverse_words(texts["en"]["commands"]["start"])


def test_the_safety_layer_loads_the_new_languages_lists(with_fake):
    patterns = safety_patterns.load(with_fake / "data" / "safety")
    assert FAKE in patterns.languages
    assert patterns.assess("i have sllip lla").verdict() is not None


def test_the_language_detector_learns_the_new_language(with_fake, tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("language_detector")
    context = ExecutionContext(GraphSchema({}), "test")
    detector = LanguageDetector.create({}, storage, resource, context)
    detector.train(load_data(str(with_fake / "data" / "nlu")))
    assert detector.detect(reverse_words("i need help with my passport")) == FAKE
    assert detector.detect("i need help with my passport") == "en"


def test_the_check_names_what_a_language_lacks(with_fake, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(with_fake, broken)
    domain = yaml.safe_load((broken / "domain.yml").read_text("utf-8"))
    domain["responses"]["utter_greet"] = domain["responses"]["utter_greet"][1:]  # its xx variation
    dump(broken / "domain.yml", domain)
    texts = yaml.safe_load((broken / "bot" / "texts.yml").read_text("utf-8"))
    del texts[FAKE]["commands"]["exit"]
    dump(broken / "bot" / "texts.yml", texts)
    nlu = yaml.safe_load((broken / "data" / "nlu" / FAKE / "all.yml").read_text("utf-8"))
    nlu["nlu"] = [block for block in nlu["nlu"] if block["intent"] != "faq/debt"]
    dump(broken / "data" / "nlu" / FAKE / "all.yml", nlu)
    (broken / "data" / "safety" / f"{FAKE}.yml").unlink()
    assert problems(FAKE, broken) == [
        "data/nlu: no 'xx' examples for faq/debt",
        "domain.yml: utter_greet has no 'xx' variation",
        "bot/texts.yml: 'xx' lacks commands.exit",
        "data/safety/xx.yml: missing (the safety layer's lists and examples)",
    ]
