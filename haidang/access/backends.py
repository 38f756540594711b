"""Django's model backend, with the signed-in user read by a kept statement (`common.queries`).

Every signed-in page reads its user from the session's user id: the ORM built and compiled that
one-row query again on each request, which cost more than running it. Who may sign in is still
decided by Django's `user_can_authenticate` (an inactive user gets no user), on every request.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from haidang.common.queries import instance_by_pk


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = instance_by_pk(model, pk, key="session-user") if pk is not None else None
        return user if user is not None and self.user_can_authenticate(user) else None
