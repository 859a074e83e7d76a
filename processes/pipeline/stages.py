"""The stages of the prospect pipeline (seed 004), named and ordered by an admin.

A stage is ``open`` (the prospect is being cared for), ``won`` (signed / deposit: the
prospect is converted into the customer catalogue) or ``lost`` (the care stops). A
stage that prospects have passed through is never deleted, only deactivated, so the
history keeps its names. See docs/pipeline.md.
"""
import re

from flask_babel import gettext as _
from marshmallow import ValidationError as MarshmallowError
from marshmallow import validates_schema
from sqlalchemy import func

from crm.models import STAGE_KINDS, Customer, Stage, StageChange
from engine.db import db
from engine.errors import ConflictError, ValidationError
from forms import inputs

# The seed's own stages: "Gọi điện lần đầu" ... "Kí kết - đặt cọc"; the business renames,
# adds and reorders them on /pipeline/stages.
DEFAULTS = (
    ("first_call", "open", "Gọi điện lần đầu", "First call", "Первый звонок"),
    ("first_meeting", "open", "Hẹn gặp trực tiếp lần đầu", "First in-person meeting",
     "Первая личная встреча"),
    ("proposal", "open", "Gửi đề xuất, báo giá", "Proposal sent", "Предложение отправлено"),
    ("negotiation", "open", "Thương lượng", "Negotiation", "Переговоры"),
    ("signed_deposit", "won", "Kí kết - đặt cọc", "Signed / deposit", "Подписание / задаток"),
    ("lost", "lost", "Dừng chăm sóc", "Care stopped", "Отказ"),
)
LOCALES = ("vi", "en", "ru")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
NAME_MAX = 120
ESSENTIAL = {
    "open": lambda: _("The pipeline needs at least one active stage of kind open."),
    "won": lambda: _("The pipeline needs at least one active stage of kind won."),
}


def ensure_defaults():
    """Create the seed's stages in an installation that has none, and commit them (a page that
    reads them must not leave them pending for the next change: engine changes refuse to
    commit what their caller left, docs/runtime.md). :returns: how many were made"""
    if db.session.query(Stage.id).first() is not None:
        return 0
    for position, (key, kind, vi, en, ru) in enumerate(DEFAULTS, start=1):
        db.session.add(Stage(key=key, kind=kind, position=position, name_vi=vi, name_en=en, name_ru=ru,
                             active=True))
    db.session.commit()
    return len(DEFAULTS)


def ordered(*, include_inactive=False):
    """The stages in board order (creating the defaults on first use)."""
    ensure_defaults()
    query = db.session.query(Stage)
    if not include_inactive:
        query = query.filter(Stage.active.is_(True))
    return query.order_by(Stage.position, Stage.id).all()


def by_key(key, *, active=True):
    """:raises ValidationError: no such stage (or it is inactive and ``active`` is asked)"""
    stage = db.session.query(Stage).filter_by(key=str(key or "")).first() if key else None
    if stage is None or (active and not stage.active):
        raise ValidationError("unknown stage", fields={"stage": _("Choose one of the pipeline's stages.")})
    return stage


def first():
    """The first open stage: where a new prospect starts."""
    stages = [s for s in ordered() if s.kind == "open"]
    if not stages:
        raise ConflictError("the pipeline has no open stage; an admin must add one")
    return stages[0]


def _key_message():
    return _("Use lower-case letters, digits and _ (at most 40), starting with a letter.")


def _position_message():
    return _("Enter a number from 1 to 1000.")


def _name_field():
    return inputs.Text(required=True, max_length=NAME_MAX, missing_message=lambda: _("Required."),
                       long_message=lambda count: _("At most %(count)d characters.", count=count))


class StageSchema(inputs.InputSchema):
    """A stage: its key (new ones only), names in vi/en/ru, kind, position, active.

    The pipeline keeps at least one active open stage and one active won stage
    (prospects must be able to start and to convert): checked when every field is valid.
    """

    key = inputs.Text(required=True, pattern=KEY_PATTERN, max_length=40, message=_key_message,
                      missing_message=_key_message)
    name_vi, name_en, name_ru = _name_field(), _name_field(), _name_field()
    kind = inputs.Choice(STAGE_KINDS, message=lambda: _("Choose open, won or lost."))
    position = inputs.Whole(1, 1000, range_message=_position_message, missing_message=_position_message)
    active = inputs.Flag(load_default=True)

    def __init__(self, stage=None, **kwargs):
        super().__init__(exclude=("key",) if stage is not None else (), **kwargs)
        self.stage = stage
        self.fields["kind"].load_default = stage.kind if stage is not None else "open"
        self.fields["position"].required = stage is None

    @validates_schema(skip_on_field_errors=False)
    def _key_free(self, data, **kwargs):
        if "key" in data and db.session.query(Stage.id).filter_by(key=data["key"]).first() is not None:
            raise MarshmallowError(_("A stage with this key exists."), "key")

    @validates_schema
    def _keep_essential(self, data, **kwargs):
        """Refuse a change that would leave no active open or no active won stage."""
        stage, kind, active = self.stage, data["kind"], data["active"]
        ensure_defaults()
        for needed in ("open", "won"):
            if stage is None or stage.kind != needed or (kind == needed and active):
                continue
            others = db.session.query(Stage.id).filter(Stage.kind == needed, Stage.active.is_(True),
                                                       Stage.id != stage.id).first()
            if others is None:
                raise MarshmallowError(ESSENTIAL[needed](), "kind" if kind != needed else "active")
        if stage is not None and not active:
            in_use = db.session.query(Customer.id).filter(Customer.stage_id == stage.id,
                                                          Customer.converted_at.is_(None)).first()
            if in_use is not None and stage.kind == "open":
                raise MarshmallowError(_("Prospects are in this stage; move them before deactivating it."),
                                       "active")


def save(values, *, stage=None):
    """Create a stage or change one: names in vi/en/ru, kind, position, active
    (:class:`StageSchema`); every problem is reported at once.

    :raises ValidationError: with ``fields``
    """
    loaded = inputs.check(StageSchema(stage), values, "the stage is not valid")
    if stage is None:
        stage = Stage(key=loaded["key"])
        db.session.add(stage)
    stage.kind, stage.active = loaded["kind"], loaded["active"]
    stage.position = loaded.get("position", stage.position)
    stage.name_vi, stage.name_en, stage.name_ru = loaded["name_vi"], loaded["name_en"], loaded["name_ru"]
    db.session.flush()
    return stage


def used(stage):
    """Whether any prospect has ever been in ``stage`` (it can then not be deleted)."""
    return db.session.query(StageChange.id).filter(
        (StageChange.to_stage_id == stage.id) | (StageChange.from_stage_id == stage.id)).first() is not None \
        or db.session.query(Customer.id).filter_by(stage_id=stage.id).first() is not None


def next_position():
    """The position after the last stage: what the form for a new stage offers."""
    return min((db.session.query(func.max(Stage.position)).scalar() or 0) + 1, 1000)
