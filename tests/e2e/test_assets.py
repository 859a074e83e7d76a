"""The front-end packages that `make assets` copies from node_modules are served at /static/vendor/."""
import re

import pytest

from tests.e2e.conftest import one_backend

pytestmark = one_backend

VENDOR = [
    "htmx/htmx.min.js",
    "bootstrap/bootstrap.min.css",
    "bootstrap/bootstrap.bundle.min.js",
    "bootstrap-icons/bootstrap-icons.min.css",
    "bpmn-js/bpmn-viewer.production.min.js",
    "bpmn-js/bpmn-modeler.production.min.js",
    "bpmn-js/assets/diagram-js.css",
    "bpmn-js/assets/bpmn-js.css",
    "bpmn-js/assets/bpmn-font/css/bpmn.css",
    "chartjs/chart.umd.min.js",
    "bpmn-js-properties-panel/bpmn-js-properties-panel.umd.js",
    "bpmn-js-properties-panel/properties-panel.css",
    "dmn-js/dmn-modeler.production.min.js",
    "dmn-js/assets/dmn-js-shared.css",
    "dmn-js/assets/dmn-js-drd.css",
    "dmn-js/assets/dmn-js-decision-table.css",
    "dmn-js/assets/dmn-js-decision-table-controls.css",
    "dmn-js/assets/dmn-js-literal-expression.css",
    "dmn-js/assets/dmn-js-boxed-expression.css",
    "dmn-js/assets/dmn-js-boxed-expression-controls.css",
    "dmn-js/assets/dmn-font/css/dmn-embedded.css",
]
CSS = {"text/css"}
JAVASCRIPT = {"text/javascript", "application/javascript"}  # which one depends on the system's mime.types
STYLESHEETS_WITH_FONTS = ["bootstrap-icons/bootstrap-icons.min.css", "bpmn-js/assets/bpmn-font/css/bpmn.css",
                          "dmn-js/assets/dmn-font/css/dmn.css"]


def fetch(client, path):
    with client.get(path) as response:
        return response.status_code, response.mimetype, response.get_data()


@pytest.mark.parametrize("name", VENDOR)
def test_each_vendor_file_is_served_from_the_static_folder(client, name):
    status, mimetype, body = fetch(client, f"/static/vendor/{name}")
    assert status == 200, f"/static/vendor/{name} is missing: run `make assets`"
    assert mimetype in (CSS if name.endswith(".css") else JAVASCRIPT)
    assert len(body) > 1000


@pytest.mark.parametrize("name", STYLESHEETS_WITH_FONTS)
def test_the_fonts_a_stylesheet_names_are_served_where_it_looks_for_them(client, name):
    css = fetch(client, f"/static/vendor/{name}")[2].decode()
    folder = name.rsplit("/", 1)[0]
    fonts = {url.split("?")[0].split("#")[0] for url in re.findall(r"url\(['\"]?([^'\")]+)", css)}
    assert any(font.endswith(".woff2") for font in fonts)
    for font in fonts:
        status, _mimetype, body = fetch(client, f"/static/vendor/{folder}/{font}")
        assert status == 200 and body, f"{name} refers to {font}, which is not served"
