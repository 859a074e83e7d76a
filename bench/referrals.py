"""Referral benchmark: what grows with the number of referrals (docs/performance.md).

On one database, with a catalogue of 4 finance companies and 20 consultants:

* the star ranking of a company (``processes.referrals.consultants.ranking``, read at every offer and
  on the referral form) with ``--small`` and ``--large`` referrals in the last 120 days;
* submitting a referral (``processes.referrals.helpers.submit_referral``: checks, the one in
  progress rule, the row, its audit event and the outbox start row, one transaction);
* the referrer's portal reads (list, counts, earnings) for a referrer with a tenth of
  the referrals.

It prints milliseconds per call and the ratio large / small, so a figure compares
with another of the same run on the same machine.

    .venv/bin/python bench/referrals.py [--small N] [--large N] [--backend sqlite|postgresql]
"""
import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from benchlib import reset_pg_schema, schema_name

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMPANIES, CONSULTANTS, REFERRERS = 4, 20, 10
REPEATS = 15


def build_app(backend, schema, redis_url):
    from tasklane.app import create_app

    folder = tempfile.mkdtemp(prefix="bench-referrals-")
    url = reset_pg_schema(schema) if backend == "postgresql" else f"sqlite:///{folder}/bench.sqlite"
    return create_app({"TASKLANE_ENV": "testing", "TASKLANE_DATABASE_URL": url,
                       "TASKLANE_REDIS_URL": redis_url, "TASKLANE_INSTANCE_DIR": folder,
                       "TASKLANE_SECRET_KEY": "bench"})


def catalogue():
    from accounts import service
    from engine.db import db
    from processes.referrals.models import CommissionPolicy, ConsultantCompany, FinanceCompany, LoanProduct

    service.ensure_roles()
    products = []
    for c in range(COMPANIES):
        company = FinanceCompany(code=f"company{c}", name=f"Company {c}")
        db.session.add(company)
        db.session.flush()
        product = LoanProduct(company_id=company.id, code="cash", name="Cash", min_amount=Decimal(1_000_000),
                              max_amount=Decimal(100_000_000), min_term_months=1, max_term_months=60)
        db.session.add(product)
        db.session.flush()
        db.session.add(CommissionPolicy(product_id=product.id, rate_percent=Decimal(2), created_by="bench",
                                        valid_from=datetime(2020, 1, 1).date()))
        products.append(product)
    for n in range(CONSULTANTS):
        user = service.add_user(f"consultant{n}", "bench-password", ["consultant"])
        user.phone = f"+849010{n:05d}"
        company_id = products[n % COMPANIES].company_id
        db.session.add(ConsultantCompany(username=user.username, company_id=company_id))
    for n in range(REFERRERS):
        service.add_user(f"referrer{n}", "bench-password", ["partner"])
    db.session.commit()
    return products


def add_referrals(products, count, start):
    """``count`` referrals of the last 120 days, mostly closed, a few in progress."""
    from sqlalchemy import insert

    from engine.db import db
    from processes.referrals.models import Referral

    rng = random.Random(start)
    now = datetime.now(timezone.utc)
    rows = []
    for n in range(start, start + count):
        product = products[n % COMPANIES]
        created = now - timedelta(days=rng.uniform(0, 120))
        accepted = created + timedelta(hours=rng.uniform(1, 30))
        state = rng.choices(["disbursed", "failed", "in_progress"], [45, 50, 5])[0]
        closed = accepted + timedelta(days=rng.uniform(1, 14)) if state != "in_progress" else None
        rows.append({"referrer": f"referrer{n % REFERRERS}", "customer_name": f"Customer {n}",
                     "phone": f"+8491{n:07d}", "product_id": product.id, "customer_status": "salaried",
                     "amount": Decimal(30_000_000), "term_months": 12, "consultant_choice": "auto",
                     "cross_sell_consent": False, "state": state, "created_at": created,
                     "consultant": f"consultant{rng.randrange(n % COMPANIES, CONSULTANTS, COMPANIES)}",
                     "accepted_at": accepted, "closed_at": closed})
    for chunk in range(0, len(rows), 5000):
        db.session.execute(insert(Referral), rows[chunk:chunk + 5000])
    db.session.commit()


def timed(action, repeats=REPEATS):
    samples = []
    for _ in range(repeats):
        begin = time.perf_counter()
        action()
        samples.append((time.perf_counter() - begin) * 1000)
    return statistics.median(samples)


def measure(products, label):
    from engine.db import db
    from processes.referrals import consultants
    from processes.referrals import views as referral_views

    company = products[0].company_id
    def portal_reads():
        return (referral_views.referrals_of("referrer1"), referral_views.counts_of("referrer1"),
                referral_views.earnings("referrer1"))

    figures = {
        "ranking": timed(lambda: consultants.ranking(company)),
        "portal": timed(portal_reads),
    }
    db.session.rollback()
    print(f"  {label}: ranking {figures['ranking']:.1f} ms, portal reads {figures['portal']:.1f} ms")
    return figures


def submissions(products, count, offset):
    from processes.referrals import helpers as procedure

    begin = time.perf_counter()
    for n in range(count):
        procedure.submit_referral({"customer_name": "Bench", "phone": f"+8498{offset + n:07d}",
                                   "product_id": products[n % COMPANIES].id, "customer_status": "salaried",
                                   "amount": "30000000", "term_months": 12, "cross_sell_consent": True},
                                  actor="referrer0")
    return count / (time.perf_counter() - begin)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--large", type=int, default=40_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--schema", type=schema_name, default="bench_referrals")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    args = parser.parse_args()
    app = build_app(args.backend, args.schema, args.redis)
    with app.test_request_context():
        from engine.db import db

        db.create_all()
        products = catalogue()
        print(f"{args.backend}: {COMPANIES} companies, {CONSULTANTS} consultants, {REFERRERS} referrers")
        add_referrals(products, args.small, 0)
        small = measure(products, f"{args.small:,} referrals")
        small_rate = submissions(products, 200, 0)
        add_referrals(products, args.large - args.small, args.small)
        large = measure(products, f"{args.large:,} referrals")
        large_rate = submissions(products, 200, 1000)
        print(f"  submit: {small_rate:.0f}/s at {args.small:,}, {large_rate:.0f}/s at {args.large:,}")
        ratio = {key: large[key] / small[key] for key in small}
        print(f"  large / small: ranking x{ratio['ranking']:.1f}, portal x{ratio['portal']:.1f}, "
              f"submit x{small_rate / large_rate:.2f} slower")


if __name__ == "__main__":
    main()
