"""`{% once %}`: a piece of the frame rendered once per language and named values, never another
reader's."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from haidang.common.templatetags.fragments import OnceNode


def render(source: str, **context) -> str:
    return Template("{% load i18n fragments %}" + source).render(Context(context))


def test_a_piece_is_rendered_once_and_reused_for_the_same_values():
    template = Template("{% load fragments %}{% once caps %}{{ caps|length }}{% endonce %}")
    for _ in range(3):
        assert template.render(Context({"caps": frozenset({"a", "b"})})) == "2"
    node = next(n for n in template.nodelist if isinstance(n, OnceNode))
    assert len(node.kept) == 1
    template.render(Context({"caps": frozenset({"a"})}))
    assert len(node.kept) == 2


def test_a_variable_not_named_prints_nothing_never_an_earlier_reader_s_value():
    template = Template("{% load fragments %}{% once caps %}[{{ caps|join:',' }}|{{ username }}]{% endonce %}")
    first = template.render(Context({"caps": ["view_cases"], "username": "caseworker.hanoi"}))
    second = template.render(Context({"caps": ["view_cases"], "username": "auditor"}))
    assert first == second == "[view_cases|]"
    other = template.render(Context({"caps": ["view_audit"], "username": "auditor"}))
    assert other == "[view_audit|]"


def test_each_language_has_its_own_piece():
    template = Template('{% load i18n fragments %}{% once %}{% translate "Case number" %}{% endonce %}')
    with translation.override("vi"):
        assert template.render(Context({})) == "Số hồ sơ"
    with translation.override("en"):
        assert template.render(Context({})) == "Case number"
    with translation.override("vi"):
        assert template.render(Context({})) == "Số hồ sơ"


def test_equal_values_share_a_piece_and_unequal_ones_do_not():
    source = "{% once urls %}{{ urls.home }}{% endonce %}"
    assert render(source, urls={"home": "/a/", "cases": "/c/"}) == "/a/"
    assert render(source, urls={"home": "/b/", "cases": "/c/"}) == "/b/"


def test_a_value_that_is_not_plain_data_is_refused():
    with pytest.raises(TypeError, match="plain values"):
        render("{% once user %}x{% endonce %}", user=object())


@pytest.mark.django_db
def test_two_readers_one_after_the_other_each_get_their_own_menu(as_user):
    auditor = as_user("auditor").get(reverse("access:home")).content.decode()
    worker = as_user("caseworker.hanoi").get(reverse("access:home")).content.decode()
    again = as_user("auditor").get(reverse("access:home")).content.decode()
    assert "Audit log" in auditor and "Audit log" in again
    assert "Audit log" not in worker and ">Cases</a>" in worker and ">Cases</a>" not in auditor
    assert "caseworker.hanoi" in worker and "caseworker.hanoi" not in again


def test_unchanging_values_are_told_apart_by_content_not_by_identity_alone():
    """Read-only mappings and frozensets are frozen once per object: a new object with other content (even one
    made where an old one was freed) still gets its own piece, an equal one the same piece."""
    from types import MappingProxyType

    template = Template("{% load fragments %}{% once urls caps %}{{ urls.home }} {{ caps|length }}{% endonce %}")
    shown = []
    for home, caps in [("/a/", {"x"}), ("/b/", {"x", "y"}), ("/a/", {"x"})]:
        shown.append(template.render(Context({"urls": MappingProxyType({"home": home}), "caps": frozenset(caps)})))
    assert shown == ["/a/ 1", "/b/ 2", "/a/ 1"]
    node = next(n for n in template.nodelist if isinstance(n, OnceNode))
    assert len(node.kept) == 2


def test_a_block_inside_a_piece_is_refused():
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template("{% load fragments %}{% once %}{% block title %}x{% endblock %}{% endonce %}")
