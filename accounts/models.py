"""Users and roles."""
from engine.db import db
from engine.places import place
from engine.types import UTCDateTime, utcnow

ROLES = ("sales", "manager", "process_owner", "auditor", "admin", "partner", "customer", "consultant",
         "broker_analyst", "broker_lead")


class Role(db.Model):
    __tablename__ = "role"
    name = db.Column(db.String(80), primary_key=True)
    description = db.Column(db.String(255), nullable=False, default="")


user_role = db.Table(
    "user_role",
    db.Column("user_id", db.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    db.Column("role_name", db.ForeignKey("role.name", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    __tablename__ = "app_user"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True, nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)
    full_name = db.Column(db.String(255), nullable=False, default="")
    email = db.Column(db.String(255))
    phone = db.Column(db.String(32))
    locale = db.Column(db.String(8), nullable=False, default="en")
    # a user created without one works in the default place's zone (TASKLANE_ZONE)
    timezone = db.Column(db.String(64), nullable=False, default=lambda: place().zone)
    active = db.Column(db.Boolean, nullable=False, default=True)
    is_demo = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    # Part of every session's signed user id: raising it ends every session of the user
    # (sign-out, a password change or reset), wherever its cookie was copied to.
    session_generation = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    roles = db.relationship(Role, secondary=user_role, lazy="selectin")

    @property
    def role_names(self):
        return {r.name for r in self.roles}


class ApiToken(db.Model):
    """A bearer token for integrations; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    name = db.Column(db.String(120), nullable=False, default="")
    token_hash = db.Column(db.String(64), unique=True, nullable=False)
    prefix = db.Column(db.String(12), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(UTCDateTime)
    expires_at = db.Column(UTCDateTime)
    revoked_at = db.Column(UTCDateTime)
    user = db.relationship(User, lazy="joined")
