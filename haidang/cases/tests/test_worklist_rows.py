"""The worklist's blank filter form is rendered once per language; a search still shows what was typed."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_the_filter_form_shows_the_search_typed_and_the_reader_s_language(as_user, settings):
    worker = as_user("caseworker.hanoi")
    searched = worker.get(reverse("cases:worklist"), {"number": "01-2026-<b>"}).content.decode()
    assert 'value="01-2026-&lt;b&gt;"' in searched
    blank = worker.get(reverse("cases:worklist")).content.decode()
    assert "01-2026-" not in blank.split('role="search"')[1].split("</form>")[0]
    assert "All statuses" in blank  # as_user reads in English
    worker.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert "Tất cả các trạng thái" in worker.get(reverse("cases:worklist")).content.decode()
