"""What every page's frame needs and is the same for everyone: the menu's links.

`{% url %}` costs about as much as rendering a table row, and the frame has sixteen of them on
every page. The links depend only on the code and the URL prefix the site is served under, so
they are reversed once per process and prefix.
"""

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from django.urls import get_script_prefix, reverse

SITE_URLS = {
    "home": "access:home",
    "cases": "cases:worklist",
    "person_search": "cases:person_search",
    "units": "places:browse",
    "agencies": "access:agency_list",
    "users": "access:user_list",
    "prevention_activities": "prevention:activity_list",
    "prevention_summary": "prevention:summary",
    "directives": "reporting:directive_list",
    "report_tasks": "reporting:tasks",
    "proceedings": "proceedings:case_list",
    "statistics": "statistics:dashboard",
    "audit": "audit:log",
    "exports": "exchange:export_list",
    "imports": "exchange:import_list",
    "notifications": "reporting:notifications",
    "api_docs": "api_docs",
    "set_language": "set_language",
    "logout": "access:logout",
}


@cache
def _site_urls(prefix: str) -> Mapping[str, str]:
    # Read-only: `{% once %}` keeps its pieces by these values, and knows an unchanging mapping by identity.
    return MappingProxyType({key: reverse(name) for key, name in SITE_URLS.items()})


def site_urls(request) -> dict:
    return {"site_urls": _site_urls(get_script_prefix())}
