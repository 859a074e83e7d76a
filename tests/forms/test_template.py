"""web/templates/forms/_fields.html renders a described form as Bootstrap 5 markup in the real app."""
import re

from flask import render_template_string

import forms
from tests.forms.schemas import KINDS, KINDS_UI, RJSF, RJSF_UI

TEMPLATE = '{% from "forms/_fields.html" import render_fields %}{{ render_fields(view) }}'


def render(app, *form, **kwargs):
    with app.test_request_context():
        return render_template_string(TEMPLATE, view=forms.describe(*form, **kwargs))


def test_the_lead_form_renders_radios_datetime_checkbox_money_and_errors(app):
    html = render(app, "lead-call-outcome", "lead-call-outcome-uischema", locale="vi",
                  values={"outcome": "not_reached", "amount": 1500000},
                  errors={"callback_at": "Trường này là bắt buộc."})
    assert "<form" not in html and "csrf" not in html
    assert html.count('type="radio"') == 4 and 'value="not_reached" checked' in html
    assert '<label for="field-outcome-2" class="form-check-label">Chưa gọi được: hẹn gọi lại</label>' in html
    assert re.search(r'<input type="datetime-local" class="form-control is-invalid" value=""'
                     r'\s+id="field-callback_at" name="callback_at" aria-invalid="true"', html)
    assert ('<div id="field-callback_at-error" class="invalid-feedback d-block">'
            'Trường này là bắt buộc.</div>') in html
    assert ('type="checkbox" class="form-check-input" value="on" id="field-closed_now"'
            ' name="closed_now"') in html
    assert 'inputmode="decimal"' in html and 'value="1.500.000" id="field-amount" name="amount"' in html
    assert '<span class="input-group-text">VND</span>' in html
    assert '<textarea class="form-control" rows="3" id="field-notes" name="notes" maxlength="2000">' in html
    assert 'aria-hidden="true">*</span>' in html


def test_every_widget_has_its_input_and_a_label_for_it(app, form_files):
    form_files("kinds-uischema", KINDS_UI)
    html = render(app, form_files("kinds", KINDS), "kinds-uischema", values={"tags": ["b"], "color": "green"})
    for name in ("name", "code", "age", "price_vnd", "birthday", "meeting_at", "color", "phone", "mobile",
                 "email", "secret", "notes", "contract", "photo", "agree"):
        assert f'for="field-{name}"' in html and f'id="field-{name}"' in html, name
    assert 'type="date"' in html and 'type="password"' in html and 'type="email"' in html
    assert html.count('type="tel" class="form-control" value="" inputmode="tel"') == 2
    assert '<option value="green" selected>Green</option>' in html and 'class="form-select"' in html
    assert 'name="tags" value="b" checked' in html and 'name="tags" value="a">' in html
    assert 'type="file" class="form-control" accept=".png"' in html
    assert ('type="number" class="form-control" value="" id="field-age" name="age" min="18" max="99"'
            ' step="1"') in html
    assert 'placeholder="Anything else?"' in html and 'rows="5"' in html


def test_nested_objects_render_as_fieldsets_with_dotted_names(app, form_files):
    form_files("registration-uischema", RJSF_UI)
    html = render(app, form_files("registration", RJSF), "registration-uischema")
    assert '<fieldset class="mb-3 border rounded p-3">' in html
    assert '<legend class="fs-6 fw-semibold">Address' in html
    assert 'id="field-address-city" name="address.city"' in html
    assert ('value="Chuck" id="field-firstName" name="firstName" aria-required="true"'
            ' aria-describedby="field-firstName-help" autofocus>') in html
    assert '<div id="field-firstName-help" class="form-text">As in your passport</div>' in html
    assert 'class="form-control font-monospace" rows="6" id="field-children" name="children"' in html
