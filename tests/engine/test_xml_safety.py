"""Deploy refuses hostile and broken XML with a readable message, before SpiffWorkflow
sees it, and stores nothing; an ordinary diagram deploys."""
import socket

import pytest

import engine
from engine.db import db
from engine.errors import DeployError
from engine.models import AuditEvent, ProcessDefinition, ProcessVersion
from tests.conftest import BPMN

NAME = "call_loop.bpmn"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
SCRIPT = "calls = calls + 1"
LIMIT = 2_000_000  # TASKLANE_MAX_BPMN_BYTES by default

XXE = '<!DOCTYPE definitions [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
BILLION_LAUGHS = "<!DOCTYPE definitions [\n" + '<!ENTITY lol0 "lol">\n' + "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">\n' for n in range(1, 10)) + "]>"
REMOTE_DTD = '<!DOCTYPE definitions SYSTEM "http://127.0.0.1:9/x.dtd">'


def call_loop():
    return (BPMN / NAME).read_text(encoding="utf-8")


def with_doctype(doctype, script=SCRIPT):
    """call_loop.bpmn with ``doctype`` after its XML declaration and ``script`` in its script task."""
    return call_loop().replace(DECLARATION, f"{DECLARATION}\n{doctype}").replace(SCRIPT, script)


def utf16(xml):
    return xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def of_size(size):
    """call_loop.bpmn padded with a comment to exactly ``size`` bytes."""
    raw = call_loop().encode("utf-8")
    closing = b"</bpmn:definitions>"
    padding = size - len(raw) - len(b"<!---->")
    return raw.replace(closing, b"<!--" + b"x" * padding + b"-->" + closing)


def refusal(xml, element=NAME):
    """The DeployError for ``xml``, after checking that nothing was stored and that its one
    problem names ``element``."""
    with pytest.raises(DeployError) as refused:
        engine.deploy(xml, actor="owner", name=NAME)
    db.session.rollback()
    assert db.session.query(ProcessDefinition).count() == 0
    assert db.session.query(ProcessVersion).count() == 0
    assert db.session.query(AuditEvent).count() == 0
    assert refused.value.message.startswith(f"{NAME} ")
    assert [p["element"] for p in refused.value.problems] == [element]
    return refused.value


@pytest.mark.parametrize(("xml", "message"), [
    pytest.param(with_doctype(XXE, 'calls = "&e;"'), "declares a DTD or entities", id="xxe-file"),
    pytest.param(with_doctype(XXE, 'calls = "&e;"').encode("utf-8"), "declares a DTD or entities",
                 id="xxe-file-bytes"),
    pytest.param(with_doctype(BILLION_LAUGHS, 'calls = "&lol9;"'), "declares a DTD or entities",
                 id="billion-laughs"),
    pytest.param(with_doctype(REMOTE_DTD), "declares a DTD or entities", id="remote-dtd"),
    pytest.param(utf16(with_doctype('<!DOCTYPE definitions [<!ENTITY e "hi">]>', 'calls = "&e;"')),
                 "declares a DTD", id="utf16-internal-entity"),
    pytest.param(utf16(with_doctype(XXE, 'calls = "&e;"')), "declares a DTD", id="utf16-xxe"),
])
def test_deploy_refuses_a_document_type_declaration(app, xml, message):
    refused = refusal(xml)
    assert message in refused.message
    assert "root:" not in str(refused)  # nothing of /etc/passwd is echoed back


def test_a_dtd_url_is_never_fetched(app):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        refusal(with_doctype(f'<!DOCTYPE definitions SYSTEM "http://127.0.0.1:{port}/x.dtd">'))
        with pytest.raises(BlockingIOError):
            listener.accept()  # a fetch would have queued a connection here


def test_deploy_refuses_a_file_over_the_size_limit(app):
    refused = refusal(of_size(LIMIT + 1))
    assert refused.message == f"{NAME} is 2,000,001 bytes; the limit is 2,000,000"
    assert refused.problems[0]["message"] == "file too large"


def test_a_file_of_exactly_the_size_limit_deploys(app):
    [(version, created)] = engine.deploy(of_size(LIMIT), actor="owner", name=NAME)
    assert created and version.definition.key == "call_loop"
    assert len(version.bpmn_xml.encode("utf-8")) == LIMIT


def test_deploy_refuses_xml_that_is_not_well_formed(app):
    refused = refusal(call_loop().replace("</bpmn:process>", ""))
    assert refused.message.startswith(f"{NAME} is not well-formed XML: ")
    assert "line " in refused.problems[0]["message"]


def test_deploy_refuses_well_formed_xml_that_is_not_bpmn(app):
    refused = refusal("<html><body><p>not a diagram</p></body></html>")
    assert refused.message.startswith(f"{NAME} is not valid BPMN: ")
    assert "html" in refused.problems[0]["message"]


def test_deploy_refuses_bpmn_without_an_executable_process(app):
    refused = refusal(call_loop().replace('isExecutable="true"', 'isExecutable="false"'), element="call_loop")
    assert refused.message == f"{NAME} has no executable process"
    [problem] = refused.problems
    assert 'isExecutable="false"' in problem["message"] and 'set isExecutable="true"' in problem["message"]


def test_a_utf16_document_without_a_doctype_deploys_and_is_stored_as_utf8(app):
    [(version, created)] = engine.deploy(utf16(call_loop()), actor="owner", name=NAME)
    assert created and version.definition.key == "call_loop"
    assert version.bpmn_xml.startswith("<?xml version='1.0' encoding='UTF-8'?>")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    assert started.status == "running"


def test_an_ordinary_diagram_deploys(app):
    [(version, created)] = engine.deploy((BPMN / NAME).read_bytes(), actor="owner", name=NAME)
    assert created
    assert (version.definition.key, version.definition.name, version.version) == (
        "call_loop", "Call until reached", 1)
    assert version.bpmn_xml == call_loop()
    assert db.session.query(ProcessDefinition).count() == 1
