"""Demo prospects on the pipeline board: the demo's contacts spread over the stages.

Runs after the lead demo (``processes.leads.demo``): the contacts it made have asked for
their pipeline case through the outbox; those starts are delivered here at once
(as the worker would), then most prospects are moved on with the notes a rep
writes, a few are signed and converted, a few stopped, and the times are spread
over the past weeks so the board shows living ages.
"""
import random
from datetime import timedelta

import engine
from crm.models import Customer, StageChange
from engine.db import db
from engine.models import HumanTask, Outbox
from engine.types import utcnow
from processes.pipeline import prospects as pipeline
from workers import delivery

NOTES = {
    "first_meeting": ["Khách hẹn gặp tại văn phòng chiều thứ Bảy", "Đã hẹn cà phê gần nhà khách",
                      "Khách muốn gặp trực tiếp để xem hợp đồng mẫu"],
    "proposal": ["Đã gửi báo giá qua Zalo", "Gửi đề xuất gói 12 tháng kèm ưu đãi",
                 "Khách xin báo giá cho cả gia đình"],
    "negotiation": ["Khách đề nghị giảm 5%, chờ quản lý duyệt", "Đang thương lượng thời hạn thanh toán"],
    "signed_deposit": ["Khách đã kí hợp đồng và đặt cọc"],
    "lost": ["Khách đã chọn bên khác", "Khách không còn nhu cầu"],
}
PATHS = [
    [], [], ["first_meeting"], ["first_meeting"], ["first_meeting", "proposal"],
    ["first_meeting", "proposal"], ["first_meeting", "proposal", "negotiation"],
    ["first_meeting", "proposal", "negotiation", "signed_deposit"], ["first_meeting", "lost"],
]
PRODUCTS = [("Hợp đồng đầu tư 12 tháng", 50_000_000), ("Gói chăm sóc da 20 buổi", 8_000_000),
            ("Khoá học tiếng Anh giao tiếp", 12_000_000)]


def load(seed=4):
    """Enter the waiting contacts and move them along. :returns: how many prospects"""
    for row_id in [r.id for r in db.session.query(Outbox.id).filter_by(channel="start", state="pending")]:
        delivery.deliver(row_id)
    rng = random.Random(seed)
    prospects = (db.session.query(Customer).filter(Customer.pipeline_instance_id.isnot(None))
                 .order_by(Customer.id).all())
    for customer in prospects:
        path = rng.choice(PATHS)
        for stage in path:
            pipeline.move(customer.id, stage, actor=customer.owner or "manager",
                          json={"note": rng.choice(NOTES[stage])}, locale="vi")
        if path and path[-1] == "signed_deposit" and rng.random() < 0.6:
            _convert(customer, rng)
        _spread(customer, rng)
        db.session.commit()   # before the next prospect's move, which commits only its own change
    return len(prospects)


def _convert(customer, rng):
    case_id = customer.pipeline_instance_id
    task = db.session.query(HumanTask).filter_by(instance_id=case_id, state="open").one()
    product, deposit = rng.choice(PRODUCTS)
    engine.complete_task(task.id, actor=customer.owner or "manager", data={
        "decision": "convert", "name": customer.name, "product": product, "deposit": deposit})


def _spread(customer, rng):
    """Move the prospect's stage history back between its first call and now, in order."""
    changes = (db.session.query(StageChange).filter_by(customer_id=customer.id)
               .order_by(StageChange.id).all())
    now = utcnow()
    start = (customer.first_contact_at or customer.created_at or now) + timedelta(minutes=5)
    span = max(now - start, timedelta(minutes=len(changes) + 1))
    moments = sorted(rng.uniform(0.05, 0.95) for _ in changes[1:])
    for change, fraction in zip(changes, [0.0, *moments], strict=True):
        change.at = min(start + span * fraction, now)
    if changes:
        customer.stage_changed_at = changes[-1].at
