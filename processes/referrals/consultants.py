"""Who may take a referral: consultants (users with the ``consultant`` role) of a finance
company, ranked by the documented "star consultant" rule (docs/referrals.md):

1. disbursement rate over the last 90 days: referrals they accepted in the window that
   were disbursed, smoothed as (disbursed + 1) / (accepted + 2) so a newcomer starts at
   50 % instead of at the top or the bottom;
2. then speed: the median days from accepting to disbursing (faster first; none yet
   counts as slowest);
3. then load: referrals they hold in progress now (fewer first);
4. then the username, so the order is stable.

A consultant holding ``max_load`` referrals in progress or more is not available.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from statistics import median

from sqlalchemy import case, func

from accounts.models import Role, User
from engine.db import db

from . import settings as referral_settings
from .models import ConsultantCompany, Referral

WINDOW_DAYS = 90
STARS = 3


@dataclass
class Standing:
    username: str
    full_name: str
    phone: str
    accepted: int
    disbursed: int
    median_days: float = None
    load: int = 0
    available: bool = True

    @property
    def rate(self):
        """The smoothed disbursement rate, 0..1 (rule 1)."""
        return (self.disbursed + 1) / (self.accepted + 2)

    def sort_key(self):
        speed = self.median_days if self.median_days is not None else float("inf")
        return (-self.rate, speed, self.load, self.username)


def _active_consultants():
    return db.session.query(User).join(User.roles).filter(Role.name == "consultant", User.active.is_(True))


def consultants(company_id=None):
    """Active users with the consultant role, of ``company_id`` when given, by username."""
    query = _active_consultants()
    if company_id is not None:
        query = query.join(ConsultantCompany, ConsultantCompany.username == User.username).filter(
            ConsultantCompany.company_id == company_id)
    return query.order_by(User.username).all()


def is_consultant(username):
    return _active_consultants().filter(User.username == username).first() is not None


def by_phone(phone):
    """The active consultant whose phone (E.164) is ``phone`` (the first by username), or ``None``."""
    return _active_consultants().filter(User.phone == phone).order_by(User.username).first()


def ranking(company_id, *, now=None):
    """Every consultant of the company with their standing, best first."""
    now = now or datetime.now(timezone.utc)
    people = consultants(company_id)
    names = [user.username for user in people]
    since = now - timedelta(days=WINDOW_DAYS)
    window = (Referral.consultant.in_(names), Referral.accepted_at >= since)
    counts = {row.consultant: (row.accepted, row.disbursed or 0) for row in db.session.query(
        Referral.consultant, func.count().label("accepted"),
        func.sum(case((Referral.state == "disbursed", 1), else_=0)).label("disbursed"),
    ).filter(*window).group_by(Referral.consultant)}
    # the median needs each disbursement's days: read those rows only
    durations = {}
    for name, accepted_at, closed_at in db.session.query(Referral.consultant, Referral.accepted_at,
                                                         Referral.closed_at).filter(
            *window, Referral.state == "disbursed", Referral.closed_at.is_not(None)):
        durations.setdefault(name, []).append((closed_at - accepted_at).total_seconds() / 86400)
    loads = dict(db.session.query(Referral.consultant, func.count())
                 .filter(Referral.consultant.in_(names), Referral.state == "in_progress")
                 .group_by(Referral.consultant).all())
    limit = referral_settings.max_load()
    standings = []
    for user in people:
        accepted, disbursed = counts.get(user.username, (0, 0))
        days = durations.get(user.username)
        load = loads.get(user.username, 0)
        speed = round(median(days), 1) if days else None
        standings.append(Standing(user.username, user.full_name or user.username, user.phone or "", accepted,
                                  int(disbursed), speed, load, load < limit))
    return sorted(standings, key=Standing.sort_key)


def stars(company_id, *, limit=STARS):
    """The best available consultants of the company, to suggest to the referrer."""
    return [standing for standing in ranking(company_id) if standing.available][:limit]


def best_available(company_id, *, exclude=(), standings=None):
    """The username of the best available consultant not in ``exclude``, or ``None``;
    ``standings``: the company's ranking when the caller has it already."""
    standings = ranking(company_id) if standings is None else standings
    return next((s.username for s in standings if s.available and s.username not in exclude), None)
