"""The texts a diagram shows people, per language: names of processes and elements, instructions.

One convention for every BPMN element (process, participant, lane, task, event,
gateway, sequence flow): spiffworkflow extension properties ``title_vi``, ``title_en``,
``title_ru`` name it in each language, ``instructions_vi`` / ``_en`` / ``_ru`` hold a
user task's instructions (Markdown), and a process's ``defaultLanguage`` property says
which language to show when the reader's is missing. Without them, the plain BPMN
``name`` and spiff's ``instructionsForEndUser`` are shown, so diagrams from other tools
work unchanged. :func:`pick` is the one rule; docs/modeler.md describes the convention.
"""
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from lxml import etree

from . import xml_safety

LANGUAGES = ("vi", "en", "ru")
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
TITLE, INSTRUCTIONS = "title", "instructions"
DEFAULT_LANGUAGE = "defaultLanguage"
MAX_XML_BYTES = 8 * 1024 * 1024


def pick(props, prefix, lang, *, default=None, fallback=None):
    """The text ``props`` give for ``lang``: ``<prefix>_<lang>``, else ``<prefix>_<default>``
    (the process's default language), else ``fallback`` (the plain BPMN text).

    :param props: an element's spiffworkflow properties (name -> value)
    :param prefix: ``"title"`` or ``"instructions"``
    :returns: the text, or ``fallback`` (which may be ``None``)
    """
    props = props or {}
    for language in (lang, default):
        text = props.get(f"{prefix}_{language}") if language else None
        if text and text.strip():
            return text
    return fallback


def per_language(props, prefix, *, default=None, fallback=None):
    """``{lang: text}`` for every language Tasklane speaks, each by :func:`pick`."""
    return {lang: pick(props, prefix, lang, default=default, fallback=fallback) for lang in LANGUAGES}


def default_language(props):
    """A process's ``defaultLanguage`` property when it names a language Tasklane speaks."""
    value = ((props or {}).get(DEFAULT_LANGUAGE) or "").strip().lower()
    return value if value in LANGUAGES else None


def localized(texts, lang, fallback=None):
    """One language's text out of a stored ``{lang: text}`` (a :func:`per_language` result)."""
    return (texts or {}).get(str(lang)) or fallback


def properties_of(node):
    """The spiffworkflow properties of one XML element (not of its children)."""
    result = {}
    for ext in node.findall(f"{{{BPMN}}}extensionElements"):
        for prop in ext.iterfind(f"{{{SPIFF}}}properties/{{{SPIFF}}}property"):
            if prop.get("name"):
                result[prop.get("name")] = prop.get("value") or ""
    return result


@dataclass
class Element:
    tag: str
    name: str
    props: dict
    process: str = None  # the id of the process the element belongs to


@dataclass
class Document:
    """A BPMN document's elements by id, with what :func:`pick` needs to name them."""
    elements: dict = field(default_factory=dict)

    def default_language(self, element_id):
        element = self.elements.get(element_id)
        owner = self.elements.get(element.process) if element and element.process else element
        return default_language(owner.props) if owner else None

    def name(self, element_id, lang, fallback=None):
        """The element's name in ``lang`` (:func:`pick`); ``fallback`` for an unknown id."""
        element = self.elements.get(element_id)
        if element is None:
            return fallback
        return pick(element.props, TITLE, lang, default=self.default_language(element_id),
                    fallback=element.name or fallback)

    def titles(self, element_id, fallback=None):
        """``{lang: name}`` of an element (a process: its name in each language)."""
        return {lang: self.name(element_id, lang, fallback) for lang in LANGUAGES}


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


def read(root):
    """The :class:`Document` of a parsed BPMN tree (``lxml`` root)."""
    doc = Document()
    participants = {}
    for node in root.iter():
        element_id = node.get("id") if isinstance(node.tag, str) else None
        if not element_id:
            continue
        process = next((p.get("id") for p in node.iterancestors(f"{{{BPMN}}}process")), None)
        tag = _local(node.tag)
        doc.elements[element_id] = Element(tag, node.get("name") or "", properties_of(node), process)
        if tag == "participant" and node.get("processRef"):
            participants[element_id] = node.get("processRef")
    for participant, process in participants.items():
        # a pool without titles of its own is named as its process
        element, named = doc.elements[participant], doc.elements.get(process)
        element.process = process
        if named and not any(k.startswith(f"{TITLE}_") for k in element.props):
            element.props = {**named.props, **element.props}
            element.name = element.name or named.name
    return doc


def localize_xml(xml, lang, lane_name=None):
    """``xml`` with every element's ``name`` in ``lang`` (:func:`pick`), for a viewer.

    Only names change: ids, flows and the drawing stay, so the diagram stays correct.
    :param lane_name: ``lane's name -> text`` for lanes (the name of the role it stands for:
        engine/lanes.py), or ``None``
    :returns: the document as text
    """
    root = xml_safety.parse(xml, max_bytes=MAX_XML_BYTES)
    doc = read(root)
    for node in root.iter():
        element_id = node.get("id") if isinstance(node.tag, str) else None
        if not element_id or element_id not in doc.elements:
            continue
        element = doc.elements[element_id]
        text = doc.name(element_id, lang)
        if element.tag == "lane" and lane_name and text == element.name and element.name:
            text = lane_name(element.name)
        if text and text != node.get("name"):
            node.set("name", text)
    return etree.tostring(root, encoding="unicode")


class DocumentCache:
    """Read documents by the SHA-256 of their XML; bounded, thread-safe."""

    def __init__(self, size=128):
        self.size = size
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, load):
        """The :class:`Document` of the XML ``load()`` returns, read once per key."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        doc = read(xml_safety.parse(load(), max_bytes=MAX_XML_BYTES))
        with self._lock:
            self._items[key] = doc
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return doc


_CACHE = DocumentCache()


def of_version(version_id):
    """The :class:`Document` of deployed process version ``version_id``."""
    from .db import db
    from .models import ProcessVersion

    digest = db.session.query(ProcessVersion.sha256).filter_by(id=version_id).scalar()
    return _CACHE.get(digest, lambda: db.session.query(ProcessVersion.bpmn_xml)
                      .filter_by(id=version_id).scalar())


def process_language(instance):
    """The ``defaultLanguage`` of a case's process (its version's), or ``None``."""
    return of_version(instance.version_id).default_language(instance.definition_key)
