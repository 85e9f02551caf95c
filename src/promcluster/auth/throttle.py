"""Login throttling: after ``login_free_failures`` refused passwords within
``login_window_minutes`` for one account or from one client address, further attempts are
refused without checking the password for a delay that doubles with every further failure
(30 s, 1 min, 2 min … up to ``login_max_delay_seconds``). Failures live in the
``login_failures`` table, so every worker process sees them; locks and refusals are written
to the audit log (entity ``login``)."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from promcluster.auth.models import AuditLog, LoginFailure
from promcluster.config import Settings
from promcluster.db import utcnow

FIRST_DELAY_SECONDS = 30
AUDIT_ENTITY = "login"
AUDIT_ACTOR = "login-throttle"


@dataclass(frozen=True)
class Lock:
    """Why and how long login attempts are refused."""

    scope: str  # "account" or "client"
    failures: int
    retry_after: int  # whole seconds

    @property
    def message(self) -> str:
        who = "этой учётной записи" if self.scope == "account" else "с вашего адреса"
        return f"слишком много неудачных попыток входа {who}; повторите через {self.retry_after} с"


def account_key(username: str) -> str:
    """The account name as counted (blanks around it ignored, as ``authenticate`` does)."""
    return username.strip()[:100]


def delay(failures: int, settings: Settings) -> int:
    """Seconds of refusal after ``failures`` refused passwords in the window (0 when free)."""
    over = failures - settings.login_free_failures
    if over < 0:
        return 0
    return min(FIRST_DELAY_SECONDS * 2 ** min(over, 30), settings.login_max_delay_seconds)


def _lock_of(
    session: Session, scope: str, column, value: str, settings: Settings, at: datetime
) -> Lock | None:
    since = at - timedelta(minutes=settings.login_window_minutes)
    failures, last = session.execute(
        select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
            column == value, LoginFailure.at >= since
        )
    ).one()
    seconds = delay(failures, settings)
    if not seconds or last is None:
        return None
    remaining = (last + timedelta(seconds=seconds) - at).total_seconds()
    return Lock(scope, failures, math.ceil(remaining)) if remaining > 0 else None


def login_lock(session: Session, username: str, client: str, settings: Settings) -> Lock | None:
    """The longer of the account's and the client address's locks, or None when both are free."""
    at = utcnow()
    account = account_key(username)
    locks = [
        lock
        for lock in (
            _lock_of(session, "account", LoginFailure.username, account, settings, at),
            _lock_of(session, "client", LoginFailure.client, client, settings, at),
        )
        if lock is not None
    ]
    return max(locks, key=lambda lock: lock.retry_after, default=None)


def _audit(session: Session, action: str, username: str, client: str, lock: Lock) -> None:
    session.add(
        AuditLog(
            at=utcnow(),
            actor=AUDIT_ACTOR,
            action=action,
            entity=AUDIT_ENTITY,
            entity_id=account_key(username)[:50],
            changes={
                "username": account_key(username),
                "client": client,
                "scope": lock.scope,
                "failures": lock.failures,
                "retry_after": lock.retry_after,
            },
        )
    )


def record_failure(session: Session, username: str, client: str, settings: Settings) -> Lock | None:
    """Count a refused password; when it starts (or lengthens) a lock, audit it and return it.
    Failures older than the window are dropped on the way."""
    at = utcnow()
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.at < at - timedelta(minutes=settings.login_window_minutes)
        )
    )
    session.add(LoginFailure(at=at, username=account_key(username), client=client[:100]))
    session.flush()
    lock = login_lock(session, username, client, settings)
    if lock is not None:
        _audit(session, "lock", username, client, lock)
    return lock


def record_refusal(session: Session, username: str, client: str, lock: Lock) -> None:
    """Audit an attempt refused because of ``lock`` (its password was not checked)."""
    _audit(session, "refuse", username, client, lock)


def forget_failures(session: Session, username: str) -> None:
    """A successful login clears its account's failures (the address keeps its own)."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == account_key(username)))
