"""The unit browser and the unit page, as a signed-in user sees them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

BROWSE = reverse("places:browse")


def text(response) -> str:
    return response.content.decode()


def rows(response) -> int:
    return len(re.findall(r"<tr>\s*<td><a href=\"/units/", text(response)))


def test_pages_need_a_signed_in_user(client):
    assert client.get(BROWSE).status_code == 302
    assert client.get(reverse("places:detail", args=["01"])).status_code == 302


def test_browse_shows_todays_provinces(signed_in):
    response = signed_in.get(BROWSE)
    assert response.status_code == 200
    assert rows(response) == 34
    page = text(response)
    assert "Thành phố Hà Nội" in page and "Tỉnh Cao Bằng" in page
    assert 'href="/units/01/?as_of=' in page
    assert 'class="badge old"' not in page


def test_browse_on_30_june_2025_shows_the_63_old_provinces_marked_old(signed_in):
    response = signed_in.get(BROWSE, {"as_of": "30/06/2025"})
    assert rows(response) == 63
    page = text(response)
    assert "Tỉnh Hải Dương" in page
    assert page.count('class="badge old"') == 63
    assert "Until 30/06/2025" in page
    assert re.search(r'href="/units/31/\?as_of=2025-07-01">Thành phố Hải Phòng</a>', page)
    # ISO dates are accepted too.
    assert rows(signed_in.get(BROWSE, {"as_of": "2025-06-30"})) == 63


def test_browse_search_without_diacritics_finds_the_new_commune_and_the_old_district(signed_in):
    response = signed_in.get(BROWSE, {"q": "thach that"})
    page = text(response)
    assert "Xã Thạch Thất" in page
    # The old district is not valid today, so it is listed under "On other dates" with its successors.
    other = page.split("On other dates", 1)[1]
    assert "Huyện Thạch Thất" in other and 'class="badge old"' in other and "Xã Tây Phương" in other
    assert 'href="/units/276/?as_of=2025-06-30"' in other


def test_browse_rejects_an_impossible_date_and_still_answers(signed_in):
    response = signed_in.get(BROWSE, {"as_of": "31/11/2023"})
    assert response.status_code == 200
    assert "is not a real date" in text(response)
    assert rows(response) == 34  # today's map meanwhile


def test_browse_paginates_long_lists_with_constant_queries(signed_in):
    with CaptureQueriesContext(connection) as provinces:
        signed_in.get(BROWSE, {"level": 1, "as_of": "30/06/2025"})
    with CaptureQueriesContext(connection) as communes:
        response = signed_in.get(BROWSE, {"level": 3, "as_of": "30/06/2025", "page": 3})
    assert rows(response) == 100
    page = text(response)
    assert "Page 3 of 101" in page
    assert 'href="?level=3&amp;as_of=30%2F06%2F2025&amp;page=4"' in page
    assert len(communes.captured_queries) == len(provinces.captured_queries)


def test_detail_of_an_old_district_with_breadcrumb_successors_and_children(signed_in):
    response = signed_in.get(reverse("places:detail", args=["276"]), {"as_of": "30/06/2025"})
    assert response.status_code == 200
    page = text(response)
    breadcrumb = page.split('aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert "Việt Nam" in breadcrumb and "Thành phố Hà Nội" in breadcrumb and "Huyện Thạch Thất" in breadcrumb
    assert "Former unit" in page
    assert "Successors since 01/07/2025" in page
    for name in ("Xã Thạch Thất", "Xã Tây Phương", "Xã Hạ Bằng", "Xã Yên Xuân"):
        assert name in page
    assert "Records made here count today under" in page
    assert "Units under Huyện Thạch Thất on 30/06/2025" in page
    assert "Thị trấn Liên Quan" in page  # one of its communes


def test_detail_of_a_new_commune_lists_what_it_was_formed_from(signed_in):
    page = text(signed_in.get(reverse("places:detail", args=["09955"])))
    assert "Xã Thạch Thất" in page and "Formed from" in page
    assert "Huyện Thạch Thất" in page and "in part" in page
    assert "Code 09955 on other dates" in page  # the old Thị trấn Liên Quan carried the same code


def test_detail_of_an_old_code_today_explains_where_it_went(signed_in):
    response = signed_in.get(reverse("places:detail", args=["276"]))
    assert response.status_code == 404
    page = text(response)
    assert "Huyện Thạch Thất (code 276) was not valid on" in page
    assert "since 01/07/2025 it belongs to" in page
    assert 'href="/units/276/?as_of=2025-06-30"' in page


def test_detail_of_an_unknown_code(signed_in):
    response = signed_in.get(reverse("places:detail", args=["99999"]))
    assert response.status_code == 404
    assert "There is no administrative unit with code 99999." in text(response)


def test_detail_queries_do_not_grow_with_children(signed_in):
    with CaptureQueriesContext(connection) as small:
        signed_in.get(reverse("places:detail", args=["30"]), {"as_of": "2025-06-30"})  # 12 districts
    with CaptureQueriesContext(connection) as large:
        signed_in.get(reverse("places:detail", args=["01"]))  # 126 communes, two pages
    assert len(large.captured_queries) == len(small.captured_queries)
