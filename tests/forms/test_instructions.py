"""Task instructions: Jinja fields from the task data, Markdown, and nothing that can run."""
import pytest
from markupsafe import Markup

from forms import instructions

pytestmark = pytest.mark.usefixtures("babel")


def test_jinja_fields_are_filled_from_the_task_data_and_markdown_becomes_html():
    html = instructions.render("## Call {{ lead.name }}\n\nPhone: **{{ lead.phone }}**", {
        "lead": {"name": "Nguyễn Thị Lan", "phone": "+84912345678"}})
    assert isinstance(html, Markup)
    assert html == "<h2>Call Nguyễn Thị Lan</h2>\n<p>Phone: <strong>+84912345678</strong></p>\n"


def test_undefined_fields_render_empty():
    assert instructions.render("Hello {{ missing }}{{ lead.missing.deeper }}!", {}) == "<p>Hello !</p>\n"


def test_tables_are_rendered():
    html = instructions.render("| Product | Qty |\n|---|---|\n| {{ p }} | {{ q }} |", {"p": "A", "q": 2})
    assert "<table>" in html and "<td>A</td>" in html and "<td>2</td>" in html


def test_scripts_event_handlers_and_javascript_links_are_removed():
    html = instructions.render(
        'Hi <script>alert(1)</script>\n\n<img src="x.png" onerror="alert(2)">\n\n'
        '[click](javascript:alert(3)) <a href="javascript:alert(4)">x</a> <a href="https://example.vn">ok</a>'
        ' <span onclick="alert(5)">s</span>', {})
    for bad in ("<script", "alert(1)", "onerror", 'href="javascript:', "onclick"):
        assert bad not in html
    assert "<p>[click](javascript:alert(3)) <a rel=" in html  # Markdown refuses to make it a link
    assert '<a href="https://example.vn" rel="noopener noreferrer">ok</a>' in html
    assert '<img src="x.png">' in html


def test_task_data_is_inserted_as_text_not_as_html():
    html = instructions.render("Customer: {{ name }}", {"name": '<img src=x onerror="alert(1)">'})
    assert html == '<p>Customer: &lt;img src=x onerror="alert(1)"&gt;</p>\n'


@pytest.mark.parametrize("source", [
    "Hello {{ name", "{{ 1 / 0 }}", "{{ name.upper( }}", "{% for %}", "{{ ''.__class__.__mro__() }}",
    "{{ 'x' * 1000000000 }}", "{{ 10 ** 100000000 }}", "{{ range(10**9)|list }}",
])
def test_a_template_that_fails_shows_the_raw_text_with_a_note_instead_of_raising(source):
    html = instructions.render(f"Before {source} after", {"name": "Lan"})
    assert "Before" in html and "after" in html
    assert "Some fields of these instructions could not be filled in." in html


def test_the_sandbox_hides_python_internals():
    assert instructions.render("x{{ name.__class__ }}{{ name.upper.__globals__ }}y", {"name": "a"}) == (
        "<p>xy</p>\n")


def test_no_instructions_and_no_data_render_empty():
    assert instructions.render(None, None) == ""
