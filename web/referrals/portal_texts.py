"""A referral's history (its audit stream, processes.referrals.views.history) as sentences the
referrer reads, in their language; also the adjustments the consultant made to the wishes."""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import format_decimal
from flask_babel import gettext as _

from accounts.models import User
from engine.db import db
from processes.referrals.models import LoanProduct, domain_currency
from web.formatting import money, when

from .portal_forms import progress_labels, result_labels

# Events whose free text (the consultant's note or reason) the referrer reads too.
NOTED = ("referral_result", "referral_progress", "referral_handed_back")


def _money(amount, data):
    """An amount of an event in the reader's locale: in the currency the event names (a
    commission's), else the referrals domain's (an event older than the currency columns)."""
    return money(amount, data.get("currency") or domain_currency())


def _rate(value):
    """A percent rate as the reader writes numbers, without trailing zeros (3, 2,5)."""
    try:
        return format_decimal(Decimal(str(value)).normalize())
    except (InvalidOperation, ValueError):
        return ""


@dataclass
class Step:
    kind: str
    at: object
    actor: str
    text: str
    note: str = ""


def people(usernames):
    """``{username: full name or username}`` of the given users."""
    names = {name for name in usernames if name}
    if not names:
        return {}
    rows = db.session.query(User.username, User.full_name).filter(User.username.in_(names)).all()
    return {**{name: name for name in names}, **{row.username: row.full_name or row.username for row in rows}}


def _product_names(events):
    """``{key: name}`` of the products the events name (by id; by code in older events)."""
    keys = {_product_key(e.data_after or {}) for e in events} - {None}
    ids = {key for key in keys if isinstance(key, int)}
    codes = keys - ids
    names = {}
    if ids:
        names.update(db.session.query(LoanProduct.id, LoanProduct.name).filter(LoanProduct.id.in_(ids)))
    if codes:
        names.update(db.session.query(LoanProduct.code, LoanProduct.name).filter(LoanProduct.code.in_(codes)))
    return names


def _product_key(after):
    """The product an event names: the cross-sold one of a result, else its ``product``; by id,
    as a code is unique only within its finance company."""
    ident = after.get("cross_sell_product_id") or after.get("product_id")
    if ident not in (None, ""):
        return int(ident)
    return after.get("cross_sell_product") or after.get("product")


def _progress_sentence(after):
    step = after.get("progress") or ""
    return progress_labels().get(step, step) + "."


def steps(events):
    """The events as :class:`Step` rows, oldest first; unknown kinds keep their kind as text."""
    names = people({e.actor for e in events} | {(e.data_after or {}).get("consultant") for e in events})
    products = _product_names(events)
    shown = []
    for event in events:
        after = event.data_after or {}
        values = {"who": names.get(event.actor, event.actor),
                  "consultant": names.get(after.get("consultant"), after.get("consultant") or ""),
                  "product": products.get(_product_key(after), after.get("cross_sell_product")
                                          or after.get("product") or "")}
        text = _sentence(event, after, values)
        note = (after.get("note") or after.get("reason") or "") if event.kind in NOTED else ""
        shown.append(Step(event.kind, event.at, event.actor, text, note))
    return shown



def _sentence(event, after, values):
    build = SENTENCES.get(event.kind)
    return build(event, after, values) if build else event.kind


def _result_sentence(after, values):
    result = after.get("result")
    if result == "disbursed":
        return _("Result: disbursed, %(amount)s.", amount=_money(after.get("disbursed_amount"), after))
    if result == "not_eligible" and after.get("cross_sell_product"):
        return _("Result: the customer is not eligible for this product; %(product)s may suit them.",
                 product=values["product"])
    return _("Result: %(result)s.", result=result_labels().get(result, result or ""))


def _closed_sentence(after):
    if after.get("state") == "disbursed":
        return _("Closed: the loan was disbursed.")
    return _("Closed without a loan.")


# One sentence per kind of event: (event, its data_after, names) -> text.
SENTENCES = {
    "referral_submitted": lambda e, a, v: _("%(who)s sent the referral.", who=v["who"]),
    "referral_offered": lambda e, a, v: _("Offered to the consultant %(consultant)s.",
                                          consultant=v["consultant"]),
    "referral_accepted": lambda e, a, v: _("%(consultant)s accepted the referral and advises the customer.",
                                           consultant=v["consultant"]),
    "referral_handed_back": lambda e, a, v: _(
        "%(consultant)s handed the referral back; it goes to another consultant.",
        consultant=v["consultant"]),
    "referral_offer_timed_out": lambda e, a, v: _(
        "%(consultant)s did not answer in time; it goes to another consultant.", consultant=v["consultant"]),
    "referral_unassigned": lambda e, a, v: _("No consultant is free right now; the system keeps looking."),
    "referral_adjusted": lambda e, a, v: _("The consultant adjusted the wishes: %(changes)s.",
                                           changes="; ".join(change_texts(e.data_before or {}, a))),
    "referral_result": lambda e, a, v: _result_sentence(a, v),
    "referral_progress": lambda e, a, v: _progress_sentence(a),
    "cross_sell_started": lambda e, a, v: _(
        "The consultant offers the customer another product: %(product)s.", product=v["product"]),
    "cross_sell_requested": lambda e, a, v: _(
        "The consultant asks to offer the customer another product: %(product)s. Please answer by %(when)s.",
        product=v["product"], when=when(a.get("expires_at"))),
    "cross_sell_reminded": lambda e, a, v: _("Reminder: the cross-sell request waits for your answer."),
    "cross_sell_approved": lambda e, a, v: _("%(who)s allowed offering %(product)s.", who=v["who"],
                                             product=v["product"]),
    "cross_sell_refused": lambda e, a, v: _("%(who)s refused offering %(product)s.", who=v["who"],
                                            product=v["product"]),
    "cross_sell_expired": lambda e, a, v: _("The cross-sell request expired without an answer: refused."),
    "commission_recorded": lambda e, a, v: _("Commission recorded: %(amount)s (%(rate)s %%).",
                                             amount=_money(a.get("amount"), a),
                                             rate=_rate(a.get("rate_percent"))),
    "commission_none": lambda e, a, v: _("No commission policy was in force on the day of disbursement."),
    "commission_paid": lambda e, a, v: _("Commission paid: %(amount)s.",
                                                                        amount=_money(a.get("amount"), a)),
    "referral_closed": lambda e, a, v: _closed_sentence(a),
}


def change_texts(before, after):
    """``["amount 30,000,000 → 25,000,000" (with the currency), "term 12 → 18 months"]`` of one adjustment."""
    texts = []
    if "amount" in after:
        texts.append(_("amount %(old)s → %(new)s", old=_money(before.get("amount"), before),
                       new=_money(after["amount"], after)))
    if "term_months" in after:
        texts.append(_("term %(old)s → %(new)s months", old=before.get("term_months", ""),
                       new=after["term_months"]))
    return texts


def adjustments(events):
    """``{"amount": (first value, current), "term_months": (...)}`` for wishes the consultant changed."""
    found = {}
    for event in events:
        if event.kind != "referral_adjusted":
            continue
        before, after = event.data_before or {}, event.data_after or {}
        for key, value in after.items():
            first = found.get(key, (before.get(key), None))[0]
            found[key] = (first, value)
    return found
