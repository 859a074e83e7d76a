"""Task instructions: Jinja fields from the task data, Markdown, and nothing that can run."""
import time

import pytest
from markupsafe import Markup

from forms import instructions, messages

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
    assert '<img src="x.png">' in html  # an image of this site


def test_task_data_is_inserted_as_text_not_as_html():
    html = instructions.render("Customer: {{ name }}", {"name": '<img src=x onerror="alert(1)">'})
    assert html == '<p>Customer: &lt;img src=x onerror="alert(1)"&gt;</p>\n'


@pytest.mark.parametrize("source", [
    "Hello {{ name", "{{ 1 / 0 }}", "{{ name.upper( }}", "{% for %}", "{{ ''.__class__.__mro__() }}",
    "{{ range(10**9)|list }}", "{{ lipsum(10**9) }}",
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


@pytest.mark.parametrize(("value", "shown"), [
    ("![p](http://host/x.png)", "![p](http://host/x.png)"),
    ("[win](http://host/)", "[win](http://host/)"),
    ("# Big", "# Big"),
    ("**bold** _em_", "**bold** _em_"),
    ("- item", "- item"),
    ("<img src=http://host/y.png>", "&lt;img src=http://host/y.png&gt;"),
    ("| a | b |", "| a | b |"),
])
def test_markdown_in_task_data_shows_as_the_literal_text(value, shown):
    for source in ("Customer: {{ name }}", "{{ name }}", "**{{ name }}**", "| x |\n|---|\n| {{ name }} |"):
        html = instructions.render(source, {"name": value})
        assert shown in html
        assert "<img" not in html and "<a " not in html and "<h1" not in html and "<li" not in html


def test_the_owners_markdown_around_fields_macros_and_loops_still_renders():
    html = instructions.render(
        "{% macro strong(v) %}**{{ v }}**{% endmacro %}# {{ title }}\n\n"
        "{% for p in products %}- {{ loop.index }}. {{ p }}\n{% endfor %}\n{{ strong(name) }}",
        {"title": "Call *now*", "products": ["A", "[B](http://x)"], "name": "Lan"})
    assert html == ("<h1>Call *now*</h1>\n<ul>\n<li>1. A</li>\n<li>2. [B](http://x)</li>\n</ul>\n"
                    "<p><strong>Lan</strong></p>\n")


def test_a_data_value_used_as_a_link_address_is_still_checked():
    html = instructions.render("[Call](tel:{{ phone }}) [Open]({{ url }}) [Site]({{ site }})",
                               {"phone": "+84912345678", "url": "javascript:alert(1)", "site": "https://e.vn/a?b=1&c=2"})
    assert '<a href="tel:+84912345678" rel="noopener noreferrer">Call</a>' in html
    assert "javascript" not in html and '<a rel="noopener noreferrer">Open</a>' in html
    assert '<a href="https://e.vn/a?b=1&amp;c=2" rel="noopener noreferrer">Site</a>' in html


def test_images_load_only_from_this_site():
    html = instructions.render(
        "![a](/static/logo.png) ![b](http://host/x.png) ![c](//host/x.png) <img src='/\\host/x.png'> "
        '<img src="https://host/y.png"> ![e]({{ src }})', {"src": "http://host/z.png"})
    assert '<img src="/static/logo.png" alt="a">' in html
    assert "host" not in html


@pytest.mark.parametrize(("source", "note"), [
    ("{{ 'x'|center(10**9)|length }}", "too large"),
    ("{{ 'x' * 1000000000 }}", "too large"),
    ("{{ 10 ** 100000000 }}", "too large"),
    ("{{ (10 ** 100) ** 200 }}", "too large"),
    ("{{ 'x'.ljust(10**9) }}", "too large"),
    ("{{ '{:>1000000000}'.format(1) }}", "too large"),
    ("{{ '%1000000000s'|format(1) }}", "too large"),
    ("{{ 'a'|indent(10**9, true) }}", "too large"),
    ("{{ ('x' * 50000)|replace('x', 'x' * 50000) }}", "too large"),
    ("{{ (['x' * 100000] * 1000)|join }}", "too large"),
    ("{{ [1]|batch(10**9, 0)|list|length }}", "too large"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "too large"),
    ("{% for i in range(5000) %}" + "x" * 100 + "{% endfor %}", "too large"),
    ("{% set s = 'x' * 1000 %}{% for i in range(1000) %}{{ s }}{% endfor %}", "too large"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "too much work"),
    ("{% macro a() %}{{ b() }}{{ b() }}{% endmacro %}{% macro b() %}{{ c() }}{{ c() }}{% endmacro %}"
     "{% macro c() %}{% for i in range(50000) %}{% endfor %}{% endmacro %}{{ a() }}", "too much work"),
    ("{% macro m(x) %}{{ x }}{% endmacro %}{% set ns = namespace(s='a') %}"
     "{% for i in range(3000) %}{% set ns.s = m(ns.s)|trim %}{% endfor %}{{ ns.s }}", "too much work"),
])
def test_templates_asking_for_too_much_memory_or_time_are_refused_fast_with_a_clear_note(source, note):
    started = time.perf_counter()
    html = instructions.render(f"Before {source} after", {"name": "Lan"})
    assert time.perf_counter() - started < 1.5
    expected = messages.instructions_too_large() if note == "too large" else messages.instructions_too_slow()
    assert expected in html and "Before" in html


def test_ordinary_use_of_the_bounded_filters_still_works():
    html = instructions.render(
        "{{ name|center(9) }}|{{ '%.2f'|format(amount) }}|{{ '{:>6}'.format(name) }}|{{ name * 2 }}|"
        "{{ note|truncate(12) }}|{{ [name, name]|join('+') }}|{{ items|join(',', attribute='n') }}|"
        "{{ items|batch(linecount=1)|list|length }}|{{ 2 ** 10 }}|{% set ns = namespace(n=0) %}"
        "{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}",
        {"name": "Lan", "amount": 3.14159, "note": "a long note indeed", "items": [{"n": "a"}, {"n": "b"}]})
    assert html == "<p>   Lan   |3.14|   Lan|LanLan|a long...|Lan+Lan|a,b|2|1024|3</p>\n"


def test_the_readers_language_picks_the_text_and_a_data_field_of_that_name_does_not_override_it():
    source = '{% if reader_language == "ru" %}Партнёр{% elif reader_language == "en" %}Referrer' \
             '{% else %}Người giới thiệu{% endif %}: {{ referrer }}'
    data = {"referrer": "An", "reader_language": "en"}
    assert str(instructions.render(source, data, "ru")) == "<p>Партнёр: An</p>\n"
    assert str(instructions.render(source, data, "vi")) == "<p>Người giới thiệu: An</p>\n"
    assert str(instructions.render(source, {"referrer": "An"})) == "<p>Người giới thiệu: An</p>\n"
