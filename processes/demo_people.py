"""The demo's story, without a database: who the leads are and what happens on their calls.

:func:`plan` draws everything from ``random.Random(seed)``, so the same seed gives the
same leads; ``processes/leads/demo.py`` enters and drives them. Names are Vietnamese: family
names weighted roughly as they occur (Nguyễn about four in ten), middle and given names
of the person's gender. Phones are mobile numbers as people write them, a few in the
11-digit form retired in 2018; e-mail addresses are on reserved example domains.
"""
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

FAMILY_NAMES = {
    "Nguyễn": 38, "Trần": 11, "Lê": 9, "Phạm": 7, "Hoàng": 4, "Huỳnh": 3, "Phan": 4, "Vũ": 3,
    "Võ": 3, "Đặng": 2, "Bùi": 2, "Đỗ": 2, "Hồ": 1, "Ngô": 1, "Dương": 1, "Lý": 1, "Trịnh": 1, "Đinh": 1,
}
MIDDLE_NAMES = {
    "female": ["Thị"] * 6 + ["Ngọc", "Thu", "Thanh", "Minh", "Bảo", "Khánh", "Mai", "Phương", "Thùy",
                             "Kim", "Hồng", "Diệu", "Hoài", "Quỳnh", "Mỹ", "Tuyết"],
    "male": ["Văn"] * 5 + ["Đức", "Minh", "Quốc", "Hữu", "Thanh", "Công", "Gia", "Hoàng", "Trọng",
                           "Xuân", "Anh", "Tuấn", "Đình", "Ngọc", "Bảo"],
}
GIVEN_NAMES = {
    "female": ["Lan", "Hương", "Linh", "Trang", "Hà", "Mai", "Anh", "Thảo", "Ngọc", "Huyền", "Nhung",
               "Hạnh", "Phương", "Thủy", "Yến", "Hằng", "Vy", "Nhi", "Trâm", "Giang", "Quỳnh", "Dung",
               "Loan", "Oanh", "Hiền", "Thư", "Uyên", "Châu", "My", "Tâm"],
    "male": ["Minh", "Hùng", "Dũng", "Tuấn", "Nam", "Long", "Huy", "Khoa", "Phúc", "Thắng", "Sơn",
             "Hải", "Đức", "Quân", "Bảo", "Cường", "Tùng", "Hiếu", "Trung", "Khánh", "Việt", "Thành",
             "Phong", "Vinh", "Lộc", "Tài", "Duy", "Quang", "Kiên", "Đạt"],
}
# Mobile prefixes of Viettel, VinaPhone, MobiFone and Vietnamobile today (10 digits)...
MOBILE_PREFIXES = ["086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039",
                   "088", "091", "094", "081", "082", "083", "084", "085", "090", "093", "070", "076",
                   "077", "078", "079", "092", "056", "058"]
# ...and the 11-digit ones they replaced in 2018, which old spreadsheets and customers still use.
OLD_MOBILE_PREFIXES = ["0162", "0163", "0164", "0165", "0166", "0167", "0168", "0169", "0120", "0121",
                       "0122", "0126", "0128", "0123", "0124", "0125", "0127", "0129"]
# Reserved example domains (RFC 2606): realistic addresses, none of them anybody's mailbox.
EMAIL_DOMAINS = ["example.com", "example.com", "example.net", "example.org"]


def person(rng):
    """``{"name", "gender"}``: family, middle and given name of one gender."""
    gender = rng.choice(("female", "male"))
    family = rng.choices(list(FAMILY_NAMES), weights=list(FAMILY_NAMES.values()))[0]
    given = rng.choice(GIVEN_NAMES[gender])
    middle = rng.choice([m for m in MIDDLE_NAMES[gender] if m != given])
    return {"name": f"{family} {middle} {given}", "gender": gender}


def mobile(rng, *, old=False):
    """A Vietnamese mobile number as people write it: ``0912 345 678``, ``0912345678``, or
    with ``old`` the pre-2018 11-digit form (``0168 234 5678``)."""
    prefix = rng.choice(OLD_MOBILE_PREFIXES if old else MOBILE_PREFIXES)
    digits = prefix + "".join(rng.choice("0123456789") for _ in range(7))
    return digits if rng.random() < 0.5 else f"{digits[:4]} {digits[4:7]} {digits[7:]}"


def ascii_name(name):
    """``Nguyễn Thị Lan`` -> ``nguyen thi lan`` (for e-mail addresses)."""
    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in plain if not unicodedata.combining(c)).lower()


def email(rng, name, birthday=None):
    """An address people of that name pick: ``lan.nguyen87@…``, ``nguyenthilan@…``."""
    family, *middle, given = ascii_name(name).split()
    year = str(birthday.year)[2:] if birthday else str(rng.randint(80, 99))
    local = rng.choice([f"{given}.{family}{year}", f"{family}{''.join(middle)}{given}",
                        f"{given}{family[0]}{''.join(m[0] for m in middle)}", f"{given}{year}{family}"])
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def birthday(rng, today):
    """A birthday of someone 20 to 60 years old on ``today``."""
    return today - timedelta(days=rng.randint(20 * 365 + 5, 60 * 365))


def format_birthday(rng, day: date):
    """As entered: ISO from forms and the API, ``DD/MM/YYYY`` from people typing it."""
    return day.isoformat() if rng.random() < 0.5 else day.strftime("%d/%m/%Y")


# What a Vietnamese telesales team sells by phone (seeds 001, 003): treatment courses
# ("liệu trình"), health products, insurance, training courses. Prices in VND.
PRODUCTS = [
    ("Liệu trình chăm sóc da 10 buổi", 3_500_000),
    ("Liệu trình giảm béo công nghệ cao 12 buổi", 8_900_000),
    ("Combo viên uống collagen 3 tháng", 2_450_000),
    ("Bảo hiểm sức khỏe An Khang (1 năm)", 4_200_000),
    ("Bảo hiểm nhân thọ Phúc An (phí năm đầu)", 18_000_000),
    ("Khóa học tiếng Anh giao tiếp 3 tháng", 6_500_000),
    ("Khóa học kế toán thực hành 2 tháng", 3_200_000),
]
# The contact statuses that mean "call again" (forms/definitions/contact-call.json).
CALL_AGAIN = ("thinking", "consulting_family", "price_objection", "interested", "busy", "no_answer")
# What reps write in the notes of a call, by outcome or contact status.
NOTES = {
    "not_reached": ["Thuê bao không nghe máy", "Máy bận", "Thuê bao tạm thời không liên lạc được",
                    "Khách bận họp, hẹn gọi lại", "Khách đang lái xe, hẹn gọi lại"],
    "no_need": ["Người nhà nghe máy, khách không có nhu cầu", "Khách nói không để lại số",
                "Khách bảo bị trêu, không đăng ký", "Khách đã dùng sản phẩm bên khác"],
    "wrong_number": ["Số không tồn tại", "Người nghe máy không biết khách", "Số ảo"],
    "reached": ["Khách quan tâm, muốn suy nghĩ thêm", "Đã gửi bảng giá qua Zalo",
                "Khách hỏi chương trình ưu đãi", "Khách muốn hỏi ý kiến gia đình",
                "Khách hẹn cuối tuần trao đổi thêm"],
    "bought": ["Chốt đơn, giao hàng thu tiền (COD)", "Khách chuyển khoản đặt cọc",
               "Chốt đơn, hẹn lịch buổi đầu"],
    "thinking": ["Khách vẫn đang cân nhắc", "Khách so sánh với bên khác"],
    "consulting_family": ["Chờ khách hỏi ý kiến gia đình"],
    "price_objection": ["Khách chê giá cao, xin thêm ưu đãi", "Khách hỏi trả góp"],
    "interested": ["Khách quan tâm, đã gửi thêm tài liệu"],
    "busy": ["Khách bận, hẹn gọi lại"],
    "no_answer": ["Không nghe máy", "Thuê bao không liên lạc được"],
    "not_interested": ["Khách không còn nhu cầu"],
    "bought_elsewhere": ["Khách đã mua bên khác"],
}


SEED = 4
# Usernames of accounts.service.DEMO_USERS; one rep gets more leads than another, so a
# manager's report has a shape.
REPS = {"sales1": 1.3, "sales2": 1.15, "sales3": 1.0, "sales4": 0.9, "sales5": 0.75}
# Where the leads end: new 26 %, not reached (in consultation) 21 %, contacts 29 %,
# orders 11.5 %, closed 12.5 %.
FATES = {"new": 52, "not_reached": 42, "no_need": 13, "wrong_number": 8, "contact_fresh": 18,
         "contact_called": 32, "contact_due": 8, "contact_lost": 4, "ordered_now": 16, "ordered_later": 7}
# How many days ago the leads of each fate came in.
AGES = {"new": (1, 4), "not_reached": (0.3, 9), "no_need": (0.5, 30), "wrong_number": (0.5, 30),
        "contact_fresh": (0.05, 0.9), "contact_called": (3, 29), "contact_due": (2, 4.5),
        "contact_lost": (3, 29), "ordered_now": (0.5, 30), "ordered_later": (3, 29)}
# Share of the leads of a fate that were not reached on a first attempt.
RETRIED = {"not_reached": 0.3, "no_need": 0.25, "wrong_number": 0.1, "contact_called": 0.2,
           "contact_lost": 0.2, "ordered_now": 0.15, "ordered_later": 0.2}
NEW_TODAY, UNASSIGNED, OLD_PHONES, DUPLICATES, CALLBACKS_TODAY = 14, 15, 6, 3, 6
SOURCES = {"facebook": 30, "website": 20, "zalo": 17, "import": 10, "referral": 8, "event": 6, "manual": 6,
           "api": 3}
CLASSIFICATIONS = {"potential": 40, None: 35, "not_potential": 15, "urgent": 10}


@dataclass
class Step:
    """A call (its form, made ``gap`` after the previous moment, with a call-back time
    ``("after", timedelta)`` past or ``("today", minutes)`` / ``("in_days", days, hour)``
    ahead), or the contact's 24-hour wait (``wait``)."""

    form: dict = None
    gap: timedelta = timedelta(0)
    callback: tuple = None
    wait: bool = False


@dataclass
class Lead:
    """One lead: what :func:`processes.leads.entry.create_lead` is given, where it came from, its fate
    (:data:`FATES`), how long ago it came in (``today``: on Vietnam's today), its calls,
    and whether its owner has claimed the task left open (``claimed``)."""

    data: dict
    source: str
    fate: str
    age: timedelta
    today: bool = False
    steps: list = field(default_factory=list)
    claimed: bool = False


def plan(seed=SEED, today=None):
    """The demo's leads, oldest first, as they are entered: the same for the same seed."""
    rng = random.Random(seed)
    fates = [fate for fate, count in FATES.items() for _ in range(count)]
    rng.shuffle(fates)
    unassigned = set(rng.sample(range(FATES["new"]), UNASSIGNED))
    old_phones = set(rng.sample(range(len(fates)), OLD_PHONES))
    seen, leads = {}, []
    for n, fate in enumerate(fates):
        k = seen[fate] = seen.get(fate, -1) + 1
        lead = _lead(rng, fate, today or date.today(), old=n in old_phones,
                     owned=not (fate == "new" and k in unassigned))
        lead.today = fate == "new" and k < NEW_TODAY
        if lead.today:
            lead.age = timedelta(hours=rng.uniform(0.05, 8))
        lead.steps = _steps(rng, fate, ahead_today=k < CALLBACKS_TODAY)
        # A rep keeps the call-back of a contact they spoke to, and takes some of today's leads.
        picked = rng.random() < 0.5
        lead.claimed = fate == "contact_due" or (lead.today and "owner" in lead.data and picked)
        leads.append(lead)
    leads.sort(key=lambda lead: lead.age, reverse=True)
    for later in rng.sample(range(40, len(leads)), DUPLICATES):
        _share_phone(rng, leads[rng.randrange(later)], leads[later])
    return leads


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _lead(rng, fate, today, *, old, owned):
    who = person(rng)
    born = birthday(rng, today)
    data = {"name": who["name"], "phone": mobile(rng, old=old), "gender": who["gender"],
            "birthday": format_birthday(rng, born), "email": email(rng, who["name"], born),
            "classification": _weighted(rng, CLASSIFICATIONS), "owner": _weighted(rng, REPS)}
    # Web forms ask for little; people filled in the rest, or nobody did.
    for name, share in (("gender", 0.6), ("birthday", 0.3), ("email", 0.35)):
        if rng.random() > share:
            del data[name]
    if not owned:
        del data["owner"]  # the sales team queue: whoever is free takes it
    if data["classification"] is None:
        del data["classification"]
    low, high = AGES[fate]
    return Lead(data, _weighted(rng, SOURCES), fate, timedelta(days=rng.uniform(low, high)))


def _share_phone(rng, earlier, later):
    """``later`` calls from ``earlier``'s phone: the same person through another source, or
    someone of the family. Shown as a duplicate, never merged."""
    later.data["phone"] = earlier.data["phone"]
    if rng.random() < 0.66:
        later.data["name"] = earlier.data["name"]
        later.source = rng.choice([s for s in SOURCES if s != earlier.source])


def _note(rng, key):
    return rng.choice(NOTES[key])


def _order(rng):
    product, price = rng.choice(PRODUCTS)
    quantity = 2 if "Combo" in product and rng.random() < 0.3 else 1
    return {"product": product, "quantity": quantity, "amount": price * quantity}


def _ahead(rng, today):
    if today:
        return ("today", rng.uniform(20, 240))
    return ("in_days", rng.randint(1, 4), rng.uniform(8.5, 17.5))


def _steps(rng, fate, *, ahead_today):
    """The calls of a lead of ``fate``, in order."""
    if fate == "new":
        return []
    gap = timedelta(minutes=rng.uniform(4, 120))
    steps = []
    if rng.random() < RETRIED.get(fate, 0):
        steps.append(Step({"outcome": "not_reached", "notes": _note(rng, "not_reached")}, gap,
                          ("after", timedelta(hours=rng.uniform(2, 30)))))
        gap = timedelta(minutes=rng.uniform(1, 25))
    if fate == "not_reached":
        return [*steps, Step({"outcome": "not_reached", "notes": _note(rng, "not_reached")}, gap,
                             _ahead(rng, ahead_today))]
    if fate in ("no_need", "wrong_number"):
        return [*steps, Step({"outcome": fate, "notes": _note(rng, fate)}, gap)]
    if fate == "ordered_now":
        return [*steps, Step({"outcome": "reached", "closed_now": True, **_order(rng),
                              "notes": _note(rng, "bought")}, gap)]
    steps += [Step({"outcome": "reached", "closed_now": False, "notes": _note(rng, "reached")}, gap),
              Step(wait=True)]
    second = timedelta(minutes=rng.uniform(5, 240))
    if fate == "contact_called":
        status = rng.choice(CALL_AGAIN)
        steps.append(Step({"contact_status": status, "notes": _note(rng, status)}, second,
                          _ahead(rng, ahead_today and rng.random() < 0.5)))
    elif fate == "contact_lost":
        status = rng.choice(("not_interested", "bought_elsewhere"))
        steps.append(Step({"contact_status": status, "notes": _note(rng, status)}, second))
    elif fate == "ordered_later":
        steps.append(Step({"contact_status": "bought", **_order(rng), "notes": _note(rng, "bought")}, second))
    return steps
