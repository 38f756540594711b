"""Django's database sessions, with the session row read by a kept statement (`common.queries`).

Every signed-in page reads its session first: the ORM built and compiled that one-row query again on
each request, which cost more than running it. The expiry is compared here, as Django's query compares
it; writing, deleting and cleaning up are Django's own.
"""

from django.contrib.sessions.backends import db
from django.utils import timezone

from haidang.common.queries import instance_by_pk


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        found = instance_by_pk(self.model, self.session_key, key="session") if self.session_key else None
        if found is None or found.expire_date <= timezone.now():
            self._session_key = None
            return None
        return found
