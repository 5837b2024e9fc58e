"""The language detector, trained on the real NLU data, decides only when sure."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.language_detector import LanguageDetector

ROOT_NLU = "data/nlu"


@pytest.fixture(scope="module")
def detector(tmp_path_factory):
    """Trained, persisted and loaded again, as Rasa does."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("language_detector")
    context = ExecutionContext(GraphSchema({}), "test")
    LanguageDetector.create({}, storage, resource, context).train(load_data(ROOT_NLU))
    return LanguageDetector.load({}, storage, resource, context)


@pytest.mark.parametrize("text, language", [
    ("hola", "es"),
    ("necesito ayuda con mi pasaporte", "es"),
    ("mi patrón no me paga desde hace meses", "es"),
    ("hi", "en"),
    ("i need help with my passport", "en"),
    ("my boss does not pay me", "en"),
    ("привіт, мені потрібна допомога", "uk"),
    ("мне нужна помощь с документами", "uk"),  # Russian: the closest language the assistant has
    ("meni potribna dopomoha z dokumentamy", "uk"),  # Ukrainian typed in Latin letters
])
def test_clear_messages_are_recognised(detector, text, language):
    assert detector.detect(text) == language


def test_a_word_known_from_one_language_alone_decides_even_where_its_letters_look_like_another(detector):
    """"dobre" (Ukrainian in Latin letters, in its training data) has Spanish n-grams
    ("pobre", "sobre"): no margin, yet no other language ever used the word."""
    assert detector.detect("dobre") == "uk"


@pytest.mark.parametrize("text", ["ok", "no", "asdfgh", "jjjjj", "", "🙂🙂", "1234", "?!", "שלום"])
def test_unclear_messages_change_nothing(detector, text):
    assert detector.detect(text) is None


def test_process_adds_the_detected_language_entity(detector):
    [message] = detector.process([Message.build("hola, necesito ayuda")])
    [entity] = message.get("entities")
    assert (entity["entity"], entity["value"], entity["extractor"]) == (
        "detected_language", "es", "LanguageDetector"
    )


def test_a_named_language_outranks_the_language_it_is_written_in(detector):
    message = Message.build("can we speak spanish")
    message.set("entities", [{"entity": "language", "value": "es"}])
    [processed] = detector.process([message])
    assert [e["entity"] for e in processed.get("entities")] == ["language"]


def test_training_without_two_tagged_languages_is_refused(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    detector = LanguageDetector.create({}, storage, Resource("x"), context)
    data = TrainingData([Message.build("hello", "greet", intent_metadata={"language": "en"})])
    with pytest.raises(ValueError, match="at least two languages"):
        detector.train(data)
