"""Every user-facing message of forms/, in one place so that the wording stays consistent.

Each function returns the text translated into the current Flask-Babel locale
(``validate`` forces the user's locale around its work). Numbers in messages are
formatted for ``locale`` by the caller.
"""
from flask_babel import gettext as _

FORM_ERROR_KEY = "_form"


def form_invalid():
    return _("Some fields are not valid.")


def required():
    return _("This field is required.")


def unknown_field():
    return _("This field is not part of the form.")


def invalid():
    return _("Enter a valid value.")


def not_allowed():
    return _("This value is not allowed.")


def text_expected():
    return _("Enter text.")


def too_short(value):
    return _("Enter at least %(min)s characters.", min=value)


def too_long(value):
    return _("Enter at most %(max)s characters.", max=value)


def pattern():
    return _("Enter a value in the expected format.")


def number():
    return _("Enter a number.")


def integer():
    return _("Enter a whole number.")


def minimum(value):
    return _("Must be at least %(min)s.", min=value)


def maximum(value):
    return _("Must be at most %(max)s.", max=value)


def exclusive_minimum(value):
    return _("Must be greater than %(min)s.", min=value)


def exclusive_maximum(value):
    return _("Must be less than %(max)s.", max=value)


def multiple_of(step):
    return _("Must be a multiple of %(step)s.", step=step)


def money(example):
    return _("Enter an amount, for example %(example)s.", example=example)


def fraction_digits(digits):
    if digits == 0:
        return _("This currency has no fractional part; enter a whole amount.")
    return _("Enter at most %(digits)s digits after the decimal separator.", digits=digits)


def boolean():
    return _("Choose yes or no.")


def yes():
    return _("Yes")


def no():
    return _("No")


def choice():
    return _("Choose one of the listed options.")


def no_options():
    return _("This field has no choices to pick from; tell the process owner.")


def options_from_task_data(name):
    return _("The choices of this field come from the task data variable %(name)s.", name=name)


def min_items(value):
    return _("Choose at least %(min)s.", min=value)


def max_items(value):
    return _("Choose at most %(max)s.", max=value)


def unique_items():
    return _("Choose each option only once.")


def date():
    return _("Enter a valid date.")


def datetime():
    return _("Enter a valid date and time.")


def phone():
    return _("Enter a valid phone number.")


def email():
    return _("Enter a valid e-mail address.")


def json_text():
    return _("Enter valid JSON.")


def file_type():
    return _("Files of this type are not allowed.")


def file_content():
    return _("The file's content does not match its type.")


def file_too_large(limit):
    return _("The file is larger than %(limit)s.", limit=limit)


def file_empty():
    return _("The file is empty.")


def file_unreadable():
    return _("The file could not be read.")


def one_file():
    return _("Attach one file only.")


def instructions_failed():
    return _("Some fields of these instructions could not be filled in.")


def instructions_too_large():
    return _("These instructions were not filled in: the result would be too large to show.")


def instructions_too_slow():
    return _("These instructions were not filled in: filling them in takes too much work.")


# The shared input fields (forms.inputs) ---------------------------------------------------

def day():
    return _("Enter a valid date, such as 2026-11-22.")


def day_missing():
    return _("Enter a date.")


def day_between(first, last):
    return _("Enter a date between %(first)s and %(last)s.", first=first, last=last)


def end_before_start():
    return _("The end date is before the start date.")


def last_day_before_first():
    return _("The last day must not be before the first day.")


def time():
    return _("Enter a time as HH:MM, e.g. 09:00.")


def amount_positive():
    return _("Enter an amount greater than zero.")


def amount_range(low, high):
    return _("Enter an amount from %(low)s to %(high)s.", low=low, high=high)


def percent_positive():
    return _("Enter a rate greater than 0 and at most 100 (percent).")


def percent_range():
    return _("Enter a percentage from 0 to 100.")


def duration():
    return _("Enter an ISO 8601 duration longer than zero, such as PT2H (2 hours) or P3D (3 days).")


def whole_between(low, high):
    return _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
