"""Every public page on a 360 px phone: nothing scrolls sideways, and every email address and
phone number a visitor reads can be tapped."""

import pytest

from content.initial_content import load_initial_content
from content.models import Article, Page
from tests.booking.helpers import open_every_day
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

# What a visitor would want to tap, said independently of the site's own rule
# (content/markup.py): a Dutch number of ten digits, +31 with nine, a free or paid
# service number, 112 and 113, and an email address. Dates, prices, times, KvK and
# AGB numbers do not look like this.
CONTACTS_IN_TEXT = r"""
(?<![\w@.+\-])(?:
    [\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+
  | (?:\+31|0031)[\s\-]?(?:\(0\))?[\s\-]?[1-9](?:[\s\-]?\d){8}
  | \(?0[1-9](?:[\s\-)]{0,2}\d){8}
  | 0[89]0[069][\s\-]?\d{4,7}
  | 11[23](?!\w|\.\w)
)
"""

# Finds, in the visible text of the page's main part and footer, what looks like an address
# or number and is not inside a link.
UNLINKED = """(pattern) => {
  const found = [];
  const contact = new RegExp(pattern.replace(/\\s+/g, ''), 'g');
  for (const part of document.querySelectorAll('main, footer, aside')) {
    const walker = document.createTreeWalker(part, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const element = node.parentElement;
      if (element.closest('a, script, style, template, [hidden], .visually-hidden')) continue;
      if (!element.getClientRects().length) continue;
      const text = node.textContent.replace(/\\u00ad/g, '');
      for (const match of text.matchAll(contact)) found.push(match[0]);
    }
  }
  return found;
}"""


@pytest.fixture
def site(live_site):
    load_initial_content()
    open_every_day()
    return live_site


def public_paths(page, site) -> list[str]:
    paths = ["/", "/artikelen/", "/zoeken/?q=hechting", "/zoeken/?q=geenresultaat", "/bestaat-niet/"]
    paths += [item.get_absolute_url() for item in Page.objects.published()]
    paths += [item.get_absolute_url() for item in Article.objects.published()]
    paths += ["/kennismaking/", "/kennismaking/wachtlijst/", "/kennismaking/vraag/"]
    # The booking steps as a visitor reaches them: each kind's week page and a time's form.
    page.goto(site + "/kennismaking/")
    weeks = page.locator("main a[href^='/kennismaking/']").evaluate_all("links => links.map(a => a.pathname)")
    weeks = sorted(
        {path for path in weeks if path.count("/") == 3 and "wachtlijst" not in path and "vraag" not in path}
    )
    assert len(weeks) == 2, weeks
    for week in weeks:
        page.goto(site + week)
        paths += [week, page.locator("section.day a").first.evaluate("a => a.pathname")]
    return list(dict.fromkeys(paths))


def test_no_public_page_scrolls_sideways_and_every_address_and_number_can_be_tapped(phone, site):
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    paths = public_paths(phone, site)
    assert len(paths) > 25 and "/klachtenregeling/" in paths
    for path in paths:
        response = phone.goto(site + path)
        assert response.status == (404 if path == "/bestaat-niet/" else 200), path
        width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            problems.append(f"{path}: {width[0]} px wide on a {width[1]} px screen")
            name = path.strip("/").replace("/", "-").replace("?", "-") or "home"
            phone.screenshot(path=str(ARTIFACTS / f"too-wide-{name}.png"), full_page=True)
        unlinked = phone.evaluate(UNLINKED, CONTACTS_IN_TEXT)
        if unlinked:
            problems.append(f"{path}: not tappable: {unlinked}")
    assert not problems, "\n".join(problems)


def test_the_complaints_page_on_a_phone(phone, site):
    phone.goto(site + "/klachtenregeling/")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "klachtenregeling-360.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    main = phone.get_by_role("main")
    for address in ("klachten@beroepsvereniging.example", "geschillen@beroepsvereniging.example"):
        assert main.get_by_role("link", name=address).get_attribute("href") == f"mailto:{address}"
    # The footer's crisis text: each number calls, the website stays text.
    crisis = phone.locator("footer section.crisis")
    hrefs = crisis.get_by_role("link").evaluate_all("links => links.map(a => [a.textContent, a.href])")
    assert hrefs == [["112", "tel:112"], ["113", "tel:113"], ["0800-0113", "tel:08000113"]]
    assert "113.nl" in crisis.inner_text()


def test_long_words_and_addresses_wrap_instead_of_widening_the_page(phone, site):
    from content.models import PracticeDetails
    from tests.helpers import make_page

    long_email = "secretariaat.psychosocialetherapie@praktijkzachtegrondvoorbeeldstad.example"
    PracticeDetails.objects.update(
        email=long_email,
        street="Burgemeester-van-Nieuwenhuijzen-Ruijsenaarsstraat 112",
        waiting_time="Wachtlijstinformatieverstrekking: mail wachtlijst.aanmeldingen@praktijkzachtegrond.example",
    )
    address = "https://www.beroepsvereniging.example/klachtenregeling-en-geschilleninstantie-voor-clienten"
    make_page(
        slug="lange-woorden",
        title="Kinderopvangtoeslagaanvraagformulieren",
        lead="Arbeidsongeschiktheidsverzekeringsmaatschappijen",
        body=(
            "<p>Arbeidsongeschiktheidsverzekeringsmaatschappijen en [[email]] en "
            f'<a href="{address}">{address}</a>.</p>'
            "<table><tr><th>Wat</th><th>Waar</th></tr>"
            f"<tr><td>Klachtenregelingsdocumentatie</td><td>{long_email}</td></tr></table>"
        ),
    )
    for path in ["/lange-woorden/", "/", "/contact/", "/kennismaking/", "/kennismaking/vraag/"]:
        phone.goto(site + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            phone.screenshot(path=str(ARTIFACTS / "too-wide-long-words.png"), full_page=True)
        assert width <= 360, f"{path}: {width} px"
