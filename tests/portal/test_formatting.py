"""Dates and times shown in the active language, always in Paris time."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.formatting import format_date_local, format_datetime_local, format_time_local

NBSP = "\u00a0"
UTC = ZoneInfo("UTC")
# 18 September 2023, 21:59:59 UTC = 23:59:59 in Paris (summer time)
CLOSING = datetime(2023, 9, 18, 21, 59, 59, tzinfo=UTC)
MORNING = datetime(2024, 3, 1, 5, 10, tzinfo=UTC)  # 06:10 in Paris (winter time)


def test_french_datetime_in_paris_time():
    with translation.override("fr"):
        assert format_datetime_local(CLOSING) == f"18 septembre 2023 à 23{NBSP}h{NBSP}59"
        assert format_datetime_local(MORNING) == f"1er mars 2024 à 6{NBSP}h{NBSP}10"
        assert format_datetime_local(CLOSING, seconds=True) == "18 septembre 2023 à 23:59:59"
        assert format_datetime_local(CLOSING, weekday=True) == (
            f"lundi 18 septembre 2023 à 23{NBSP}h{NBSP}59")


def test_english_datetime_in_paris_time():
    with translation.override("en"):
        assert format_datetime_local(CLOSING) == "September 18, 2023 at 23:59"
        assert format_date_local(CLOSING, weekday=True) == "Monday, September 18, 2023"
        assert format_time_local(MORNING) == "06:10"


@pytest.mark.parametrize("language, expected", [
    ("fr", "Clôture : lundi 18 septembre 2023 à 23:59:59"),
    ("en", "Clôture : Monday, September 18, 2023 at 23:59:59"),
])
def test_datetime_local_filter_takes_options(language, expected):
    template = Template('{% load portal_tags %}Clôture : {{ when|datetime_local:"weekday,seconds" }}')
    with translation.override(language):
        assert template.render(Context({"when": CLOSING})) == expected


def test_date_filters_leave_empty_values_empty():
    template = Template("{% load portal_tags %}[{{ a|datetime_local }}][{{ b|date_local }}]")
    assert template.render(Context({"a": None, "b": None})) == "[][]"
