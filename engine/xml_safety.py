"""Parse uploaded BPMN XML so that hostile documents are refused before SpiffWorkflow sees them."""
import re

from lxml import etree

from .errors import DeployError

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse(data, *, max_bytes, name="diagram"):
    """Parse ``data`` with entity resolution, DTD loading and network access off.

    BPMN never needs a DOCTYPE, so any DTD is refused outright: that rules out
    external entities (file or network), entity expansion bombs and DTD fetches.

    :param data: the document as bytes or str
    :param max_bytes: largest accepted size
    :raises DeployError: the document is too large, declares a DTD, or is not well-formed XML
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise DeployError(f"{name} is {len(raw):,} bytes; the limit is {max_bytes:,}",
                          [{"element": name, "message": "file too large"}])
    if _DTD.search(raw):
        raise DeployError(f"{name} declares a DTD or entities, which BPMN files never need",
                          [{"element": name, "message": "DOCTYPE / ENTITY declarations are refused"}])
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as error:
        raise DeployError(f"{name} is not well-formed XML: {error}",
                          [{"element": name, "message": str(error)}]) from None
    if root.getroottree().docinfo.doctype:
        raise DeployError(f"{name} declares a DTD", [{"element": name, "message": "DOCTYPE refused"}])
    return root


def _parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=False)


def same_document(a, b):
    """Whether two documents that were both accepted by :func:`parse` say the same thing.

    Compared in canonical form (C14N 2.0, comments dropped, whitespace around text
    stripped): the modeler writes a shipped diagram with other indentation, quoting and
    attribute order, and that is no change a process owner made.
    """
    return _canonical(a) == _canonical(b)


def _canonical(data):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if _DTD.search(raw):
        return raw
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError:
        return raw
    return etree.tostring(root, method="c14n2", strip_text=True, with_comments=False)


def as_text(data, root):
    """The document as text to store: unchanged if it is UTF-8, else re-encoded as UTF-8.

    :param root: the element :func:`parse` returned for ``data``
    """
    if isinstance(data, str):
        return data
    encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper()
    if encoding in ("UTF-8", "UTF8", "US-ASCII", "ASCII"):
        return data.decode("utf-8")
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8").decode("utf-8")
