"""The limit on anonymous calls of expensive endpoints (classification, search, exports, niches,
discovery): ``settings.anonymous_expensive_per_minute`` per client address in any sliding minute,
then 429 with ``Retry-After``. Logged-in users are not limited by it.

The counts are kept by the ``limits`` library's moving window in the memory of the process: each
worker of a multi-process server counts on its own (the limit is then per worker), and a
restart forgets them. Behind a reverse proxy the address is the one uvicorn takes from
``X-Forwarded-For`` (``--forwarded-allow-ips``)."""

import math
import time

from fastapi import Depends, HTTPException, Request
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from promcluster.auth.models import User
from promcluster.web.deps import current_user

NAMESPACE = "anonymous-expensive"


class AnonymousLimiter:
    """Counts the expensive calls of each client address; ``per_minute`` 0 switches it off."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.item = RateLimitItemPerMinute(per_minute) if per_minute > 0 else None
        self.limiter = MovingWindowRateLimiter(MemoryStorage()) if self.item else None

    def retry_after(self, client: str) -> int | None:
        """None when this call is allowed (it is counted), else the seconds until one is."""
        if self.item is None or self.limiter is None:
            return None
        if self.limiter.hit(self.item, NAMESPACE, client):
            return None
        reset = self.limiter.get_window_stats(self.item, NAMESPACE, client).reset_time
        return max(1, math.ceil(reset - time.time()))


def limit_anonymous(request: Request, user: User | None = Depends(current_user)) -> None:
    """Refuse an anonymous caller over the limit with 429 and ``Retry-After`` (seconds)."""
    limiter: AnonymousLimiter = request.app.state.anonymous_limiter
    if user is not None:
        return
    wait = limiter.retry_after(request.client.host if request.client else "unknown")
    if wait is not None:
        raise HTTPException(
            429,
            f"слишком много запросов без входа в систему: не больше {limiter.per_minute} "
            f"в минуту с одного адреса; повторите через {wait} с или войдите в систему",
            headers={"Retry-After": str(wait)},
        )


# The mark of a limited route: ``@router.get(..., dependencies=[anonymous_limit])``.
anonymous_limit = Depends(limit_anonymous)
