"""Numbers as the reader writes them: Vietnamese pages group thousands with a dot and use a decimal
comma, English pages the other way round; raw numbers stay raw."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from haidang.common.numbers import format_number, format_percent


@pytest.mark.parametrize(
    "language, count, share, change",
    [("vi", "7.116", "-33,3%", "+1.250"), ("en", "7,116", "-33.3%", "+1,250")],
)
def test_the_helpers_follow_the_language(language, count, share, change):
    with translation.override(language):
        assert format_number(7116) == count
        assert format_percent(-33.333) == share
        assert format_number(1250, signed=True) == change
        assert format_number(0, signed=True) == "0"


def test_blanks_and_text_pass_through():
    with translation.override("vi"):
        assert format_number(None) == "" and format_percent(None) == ""
        assert format_number("—") == "—"  # a hidden figure keeps its mark
        assert format_number("50640") == "50.640"  # a count that arrived as text
        assert format_number(Decimal("1234.50"), 2) == "1.234,50"
        assert format_number(True) == "True"


def test_the_filters_are_on_every_template_without_loading():
    template = Template("{{ people|number }} · {{ share|percent }} · {{ cost|number:2 }} · {{ change|signed_number }}")
    context = Context({"people": 50640, "share": 18.24, "cost": 1500000.5, "change": -3})
    with translation.override("vi"):
        assert template.render(context) == "50.640 · 18,2% · 1.500.000,50 · -3"
    with translation.override("en"):
        assert template.render(context) == "50,640 · 18.2% · 1,500,000.50 · -3"
