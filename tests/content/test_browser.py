"""A visitor on a phone reads, searches and finds the invitation; axe-core checks every page."""

import pytest
from playwright.sync_api import expect

from content.initial_content import load_initial_content
from tests.conftest import ARTIFACTS, assert_accessible
from tests.helpers import SOFT_HYPHEN

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_site):
    load_initial_content()
    return live_site


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_menu(page):
    """On a phone the menu is behind its button; the open menu's navigation is returned."""
    page.get_by_role("banner").get_by_text("Menu", exact=True).click()
    return page.get_by_role("navigation", name="Hoofdmenu")


def test_reading_the_site_on_a_phone(phone, site):
    requests = []
    phone.on("request", lambda request: requests.append(request.url))

    phone.goto(site + "/")
    assert phone.get_by_role("heading", level=1).count() == 1
    assert_accessible(phone, "home-360")

    open_menu(phone).get_by_role("link", name="Hechtingsproblematiek").click()
    phone.wait_for_url("**/hechtingsproblematiek/")
    heading = phone.get_by_role("heading", level=1).inner_text()
    assert heading.replace(SOFT_HYPHEN, "") == "Hechtingsproblematiek" and SOFT_HYPHEN in heading
    assert phone.get_by_role("heading", name="De vier hechtingsstijlen:").is_visible()
    # The stylesheet really loaded: the call-to-action button has the site's colour.
    button = phone.get_by_role("main").get_by_role("link", name="Plan een gratis kennismaking")
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(47, 93, 80)"
    # Nothing runs off a 360 px screen sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone, "theme-360")

    phone.get_by_role("link", name="Bang om verlaten te worden: wat er onder die onrust zit").click()
    phone.wait_for_url("**/artikelen/bang-om-verlaten-te-worden/")
    assert "min lezen" in phone.locator("main").inner_text()
    assert_accessible(phone, "article-360")

    open_menu(phone).get_by_role("link", name="Zoeken", exact=True).click()
    phone.get_by_label("Waar zoek je naar?").fill("parentificatie")
    phone.get_by_role("button", name="Zoeken").click()
    phone.wait_for_url("**/zoeken/?q=parentificatie")
    results = phone.locator("ol.results")
    assert results.get_by_role("link", name="Hechtingsproblematiek").is_visible()
    assert_accessible(phone, "search-360")

    phone.get_by_role("banner").get_by_role("link", name="Kennismaking").click()
    phone.wait_for_url("**/kennismaking/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Plan een gratis kennismaking"
    assert_accessible(phone, "kennismaking-360")

    # Every request of every page stayed on this site.
    assert requests and all(url.startswith(site) for url in requests), [u for u in requests if not u.startswith(site)]


def test_call_to_action_at_the_end_of_the_theme_page(phone, site):
    phone.goto(site + "/hechtingsproblematiek/")
    phone.get_by_role("main").get_by_role("link", name="Plan een gratis kennismaking").click()
    phone.wait_for_url("**/kennismaking/")
    assert "20 minuten" in phone.locator("main").inner_text()


def test_wide_screen_and_keyboard(chromium, site):
    # Not the phone fixture: a context of its own, closed before the server stops.
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site + "/hechtingsproblematiek/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Direct naar de inhoud")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("#inhoud")
    assert_accessible(page, "theme-1280")
    page.goto(site + "/")
    assert_accessible(page, "home-1280")
    context.close()


def test_no_page_loads_anything_from_another_origin(phone, site):
    from content.models import Article, Page

    paths = [p.get_absolute_url() for p in Page.objects.published()]
    paths += [a.get_absolute_url() for a in Article.objects.published()]
    paths += [
        "/artikelen/",
        "/zoeken/?q=hechting",
        "/kennismaking/",
        "/kennismaking/online/",
        "/kennismaking/praktijk/",
    ]
    requests = []
    phone.on("request", lambda request: requests.append(request.url))
    for path in paths:
        response = phone.goto(site + path)
        assert response.status == 200, path
    assert len(requests) >= len(paths)
    assert [url for url in requests if not url.startswith((site, "data:"))] == []
    assert phone.context.cookies() == []


@pytest.mark.parametrize("javascript", [False, True])
def test_the_phone_header_is_one_row_and_its_menu_works_by_keyboard(chromium, site, javascript):
    context = chromium.new_context(viewport={"width": 360, "height": 760}, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(site + "/kennismaking/online/")
    header = page.get_by_role("banner")
    assert header.bounding_box()["height"] < 80, "one compact row"
    brand, cta, menu = (
        header.get_by_role("link", name="Praktijk Zachte Grond"),
        header.get_by_role("link", name="Kennismaking"),
        header.get_by_text("Menu", exact=True),
    )
    tops = {round(item.bounding_box()["y"] + item.bounding_box()["height"] / 2) for item in (brand, cta, menu)}
    assert max(tops) - min(tops) <= 4, "logo, booking button and menu button share one row"
    # One navigation in the page's structure at a time, closed until asked for.
    assert page.get_by_role("navigation", name="Hoofdmenu").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    check = assert_accessible if javascript else screenshot  # axe itself needs JavaScript
    check(page, f"header-360-js-{javascript}")

    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # practice name
    page.keyboard.press("Tab")  # booking button
    page.keyboard.press("Tab")  # menu button
    expect(page.locator("summary")).to_be_focused()
    page.keyboard.press("Enter")
    navigation = page.get_by_role("navigation", name="Hoofdmenu")
    assert navigation.get_by_role("link").count() >= 5 and navigation.is_visible()
    check(page, f"menu-open-360-js-{javascript}")
    navigation.get_by_role("link", name="Werkwijze en tarieven").click()
    page.wait_for_url("**/werkwijze-en-tarieven/")
    # The fees table stacks into readable rows on a phone: nothing runs off the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("td[data-label='Tarief']").first.is_visible()
    context.close()


def test_on_a_wide_screen_the_menu_is_one_row(chromium, site):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site + "/")
    navigation = page.get_by_role("navigation", name="Hoofdmenu")
    links = navigation.get_by_role("link")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1, "every menu item on one row"
    assert not page.get_by_text("Menu", exact=True).is_visible()
    assert page.get_by_role("banner").bounding_box()["height"] < 90
    context.close()
