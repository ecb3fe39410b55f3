"""The catalogue page reads its rows and their total in one query (issue 12):
the same rows, total and pages as the paginator, and the paginator's
answers for a page past the end or not a number."""
import pytest

from archive import views
from archive.services import archive_item
from tests.factories import PASSWORD


def login(client, user):
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


@pytest.fixture
def many(make_item, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    return [archive_item(item=make_item(subject=f"市场部合同续签 {n}")) for n in range(5)]


@pytest.mark.django_db
def test_pages_hold_the_paginators_rows_and_total(client, many, secretary):
    login(client, secretary)

    pages = [client.get("/archive/", {"page": n}).context["page"] for n in (1, 2, 3)]

    assert [page.paginator.count for page in pages] == [5, 5, 5]
    assert [page.paginator.num_pages for page in pages] == [3, 3, 3]
    numbers = [record.number for page in pages for record in page]
    assert sorted(numbers, reverse=True) == numbers and len(set(numbers)) == 5
    assert pages[2].has_previous() and not pages[2].has_next()


@pytest.mark.django_db
@pytest.mark.parametrize("asked, shown", [("9", 3), ("0", 1), ("-2", 1), ("x", 1), ("", 1)])
def test_a_page_past_the_end_or_not_a_number_is_the_paginators(client, many, secretary, asked, shown):
    login(client, secretary)

    page = client.get("/archive/", {"page": asked}).context["page"]

    assert page.number == shown and len(page) in (1, 2)


@pytest.mark.django_db
def test_a_search_with_no_match_shows_an_empty_first_page(client, many, secretary):
    login(client, secretary)

    response = client.get("/archive/", {"q": "没有这样的题名"})

    assert response.context["page"].paginator.count == 0
    assert "没有符合条件的档案。" in response.content.decode()


@pytest.mark.django_db
def test_rows_link_to_their_records_and_the_tree_to_its_filters(client, many, secretary, outsider):
    login(client, secretary)

    html = client.get("/archive/").content.decode()

    assert f'href="/archive/records/{many[-1].pk}/"' in html
    assert "&amp;mid=" in html and "&amp;month=" in html
    client.logout()
    login(client, outsider)
    assert "暂无档案" in client.get("/archive/").content.decode()
