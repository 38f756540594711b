"""`dumpdata` never writes identities in clear: it refuses the sealed models and points to `backup`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SEALED = ("access.User", "cases.Person", "proceedings.Suspect")


def test_a_whole_dump_is_refused_naming_the_sealed_models_and_backup():
    with pytest.raises(CommandError) as refused:
        call_command("dumpdata", stdout=io.StringIO())
    message = str(refused.value)
    assert "manage.py backup" in message
    for label in SEALED:
        assert label in message


@pytest.mark.parametrize("label", ["access", "access.User", "cases.Person", "proceedings"])
def test_naming_a_sealed_model_or_its_app_is_refused(label):
    with pytest.raises(CommandError, match="manage.py backup"):
        call_command("dumpdata", label, stdout=io.StringIO())


def test_models_without_sealed_values_can_still_be_dumped(demo_users):
    out = io.StringIO()
    call_command("dumpdata", "access.Agency", stdout=out)
    assert any(row["model"] == "access.agency" for row in json.loads(out.getvalue()))
    out = io.StringIO()
    call_command("dumpdata", "access", "--exclude", "access.User", stdout=out)
    models = {row["model"] for row in json.loads(out.getvalue())}
    assert "access.agency" in models and "access.user" not in models
