"""Demo cases for development: a few leads in different states of lead handling.

Loaded by ``tasklane setup`` / ``run`` in development only, and only into an
installation that has no lead-handling case yet.
"""
from datetime import datetime, timedelta, timezone

import engine
from engine.db import db
from engine.models import HumanTask, ProcessInstance

LEADS = [
    ("Nguyễn Thị Lan", "+84901234567", "facebook", "sales1"),
    ("Trần Văn Minh", "+84912345678", "website", "sales1"),
    ("Lê Hoàng Nam", "+84987654321", "zalo", "sales2"),
    ("Phạm Thu Trang", "+84903111222", "hotline", "sales2"),
    ("Hoàng Đức Anh", "+84935222333", "facebook", "sales3"),
    ("Vũ Ngọc Mai", "+84977333444", "website", "sales3"),
    ("Đặng Quốc Bảo", "+84868444555", "referral", "sales4"),
    ("Bùi Thị Hương", "+84916555666", "google_ads", "sales4"),
    ("Đỗ Minh Tuấn", "+84329666777", "facebook", "sales5"),
    ("Ngô Thanh Hà", "+84388777888", "tiktok", "sales5"),
]
NOT_REACHED = {"Lê Hoàng Nam", "Vũ Ngọc Mai", "Ngô Thanh Hà"}
CONTACTS = {"Phạm Thu Trang", "Bùi Thị Hương"}


def load():
    """Start the demo cases unless lead-handling cases exist. :returns: how many were started"""
    if db.session.query(ProcessInstance).filter_by(definition_key="lead_handling").first():
        return 0
    tomorrow = (datetime.now(timezone(timedelta(hours=7))) + timedelta(days=1)).replace(
        hour=9, minute=30, second=0, microsecond=0)
    for name, phone, source, owner in LEADS:
        case = engine.start("lead_handling", actor="demo",
                            data={"name": name, "phone": phone, "source": source, "owner": owner})
        task = db.session.query(HumanTask).filter_by(instance_id=case.id, state="open").one()
        if name in NOT_REACHED:
            engine.complete_task(task.id, actor=owner, data={
                "outcome": "not_reached", "callback_at": tomorrow.isoformat(),
                "notes": "Thuê bao không nghe máy"})
        elif name in CONTACTS:
            engine.complete_task(task.id, actor=owner, data={
                "outcome": "reached", "closed_now": False, "notes": "Khách muốn suy nghĩ thêm"})
    return len(LEADS)
