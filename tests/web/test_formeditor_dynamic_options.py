"""The form editor's preview of a form whose choices come from the task data."""
import json

from tests.forms.dynamic import SCHEMA
from tests.web.test_formeditor import preview


def test_the_preview_shows_a_field_with_choices_from_the_task_data_and_names_the_variable(sign_in):
    html = preview(sign_in("owner"), "en", json.dumps(SCHEMA))
    assert 'name="cross_sell_product_id"' in html and "<select" in html
    assert "The choices of this field come from the task data variable product_options." in html
    assert "not a valid JSON Schema" not in html
