"""What the therapist writes is rendered to safe HTML, whatever it contains."""

import pytest
from bs4 import BeautifulSoup

from content.markup import markdown_to_html, render_html
from tests.helpers import make_page, soup

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<img src="/media/afbeeldingen/a.jpg" onerror="alert(1)" data-file="1 onload=x">',
    '<img src="https://tracker.example/pixel.gif" data-file="1">',
    '<img src="//tracker.example/pixel.gif">',
    '<img src="/media/../../etc/passwd" style="x">',
    '<figure onclick="alert(1)"><img src="javascript:alert(1)"><figcaption onmouseover="x">x</figcaption></figure>',
    '<a href="/ok" onclick="alert(1)">klik</a>',
    "[klik](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">klik</a>',
    '<a href="&#106;avascript:alert(1)">klik</a>',
    '<iframe src="https://example.com"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<svg onload=alert(1)></svg>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<object data='x'></object><embed src='x'>",
    "<form action='/x'><input name='a'></form>",
]


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("convert", [render_html, markdown_to_html])
def test_scripts_handlers_and_dangerous_links_never_survive(hostile, convert):
    html = convert(f"<p>Tekst</p>\n\n{hostile}\n\n<p>Meer tekst</p>")
    tree = BeautifulSoup(html, "html.parser")
    assert not tree.find_all(["script", "iframe", "svg", "object", "embed", "form", "input"])
    for image in tree.find_all("img"):
        # Only the site's own uploads, named by number, may stay.
        assert image.get("src", "/media/").startswith("/media/"), html
        assert image.get("data-file", "1").isdigit(), html
    for tag in tree.find_all(True):
        for attribute, value in tag.attrs.items():
            assert not attribute.lower().startswith("on"), html
            assert attribute != "style", html
            assert "javascript:" not in str(value).lower(), html
            assert not str(value).lower().startswith("data:"), html


def test_initial_markdown_keeps_headings_lists_links_and_emphasis():
    html = markdown_to_html(
        "## Kop\n\nEen **vette** en *schuine* [link](/contact/) en [mail](mailto:a@b.nl).\n\n"
        "- een\n- twee\n\n1. eerst\n"
    )
    tree = BeautifulSoup(html, "html.parser")
    assert tree.h2.string == "Kop"
    assert tree.strong.string == "vette" and tree.em.string == "schuine"
    assert [a["href"] for a in tree.find_all("a")] == ["/contact/", "mailto:a@b.nl"]
    assert [li.string for li in tree.ul.find_all("li")] == ["een", "twee"]
    assert tree.ol.li.string == "eerst"


def test_a_top_level_heading_in_the_text_never_adds_a_second_h1(client, db):
    make_page(slug="kopjes", body="<h1>Grote kop</h1><p>Tekst</p>")
    page = soup(client.get("/kopjes/"))
    assert len(page.find_all("h1")) == 1
    assert page.find("h2", string="Grote kop")


def test_hostile_text_saved_in_the_admin_is_rendered_harmless(client, db):
    make_page(slug="aanval", body="\n\n".join(HOSTILE))
    body = client.get("/aanval/").content.decode().lower()
    article = BeautifulSoup(body[body.index("<article") : body.index("</article>")], "html.parser")
    assert not article.find_all(["script", "iframe", "svg", "object", "embed", "form"])
    for tag in article.find_all(True):
        for attribute, value in tag.attrs.items():
            assert not attribute.startswith("on") and attribute != "style", tag
            assert "javascript:" not in str(value) and "tracker.example" not in str(value), tag


HOSTILE_DETAILS = [
    {"phone": "javascript:alert(1)"},
    {"phone": '"><script>alert(1)</script>'},
    {"email": 'x@example.com"><script>alert(1)</script>'},
    {"street": "<img src=x onerror=alert(1)>"},
    {"practice_name": "javascript:alert(1)"},
]


@pytest.mark.parametrize("details", HOSTILE_DETAILS)
def test_a_hostile_practice_detail_never_becomes_live_markup(client, db, details):
    from content.initial_content import load_initial_content
    from content.models import PracticeDetails

    load_initial_content()
    # Straight into the database: the admin's validation is tested below; this is about rendering.
    PracticeDetails.objects.update(**details)
    make_page(
        slug="details",
        body=(
            '<p>Bel [[telefoon]] of <a href="[[email]]">mail</a> of <a href="[[telefoon]]">bel</a> '
            'of <a href="[[praktijknaam]]">x</a>. Adres: [[adres]].</p>'
        ),
    )
    html = client.get("/details/").content.decode()
    tree = BeautifulSoup(html[html.index("<article") : html.index("</article>")], "html.parser")
    assert not tree.find_all(["script", "img"])
    for tag in tree.find_all(True):
        for attribute, value in tag.attrs.items():
            assert not attribute.lower().startswith("on")
            assert "javascript:" not in str(value).lower(), tag


def test_phone_and_email_placeholders_become_tappable_links(client, db):
    from content.initial_content import load_initial_content

    load_initial_content()
    make_page(slug="bellen", body='<p>Bel [[telefoon]] of mail [[email]]. Of <a href="[[email]]">klik hier</a>.</p>')
    html = client.get("/bellen/").content.decode()
    tree = BeautifulSoup(html[html.index("<article") : html.index("</article>")], "html.parser")
    hrefs = {a.get_text(): a["href"] for a in tree.find_all("a")}
    assert hrefs["012 345 67 89"] == "tel:0123456789"
    assert hrefs["info@praktijk.example"] == "mailto:info@praktijk.example"
    assert hrefs["klik hier"] == "info@praktijk.example"  # inside a link's address: plain text


def test_the_admin_refuses_a_phone_number_that_is_not_one(client, db):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from content.initial_content import load_initial_content
    from content.models import PracticeDetails
    from tests.helpers import admin_form_data, login_admin

    load_initial_content()
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    practice = PracticeDetails.objects.get()
    url = reverse("admin:content_practicedetails_change", args=[practice.pk])
    data = admin_form_data(client, url, "practicedetails_form")
    data["phone"] = "javascript:alert(1)"
    response = client.post(url, data)
    assert response.status_code == 200 and "Gebruik alleen cijfers" in response.content.decode()
    practice.refresh_from_db()
    assert practice.phone == "012 345 67 89"


# --- email addresses and phone numbers become links a phone can tap ---------------------

PHONE_NUMBERS = [
    ("06-12345678", "tel:0612345678"),
    ("06 1234 5678", "tel:0612345678"),
    ("0612345678", "tel:0612345678"),
    ("06\u00a012345678", "tel:0612345678"),
    ("020 123 4567", "tel:0201234567"),
    ("020-1234567", "tel:0201234567"),
    ("010 123 45 67", "tel:0101234567"),
    ("0123-456789", "tel:0123456789"),
    ("012 345 67 89", "tel:0123456789"),
    ("088 123 4567", "tel:0881234567"),
    ("(020) 123 4567", "tel:0201234567"),
    ("+31 6 1234 5678", "tel:+31612345678"),
    ("+31 (0)20 123 4567", "tel:+31201234567"),
    ("+31201234567", "tel:+31201234567"),
    ("0031 20 123 4567", "tel:+31201234567"),
    ("+32 2 123 45 67", "tel:+3221234567"),
    ("0800-0113", "tel:08000113"),
    ("0800 0432", "tel:08000432"),
    ("0900-1234567", "tel:09001234567"),
    ("112", "tel:112"),
    ("113", "tel:113"),
]


def links(html: str) -> list[tuple[str, str]]:
    return [(a.get_text(), a["href"]) for a in BeautifulSoup(html, "html.parser").find_all("a")]


@pytest.mark.parametrize(("number", "href"), PHONE_NUMBERS)
def test_a_dutch_phone_number_in_a_text_becomes_a_tel_link(number, href):
    from content.markup import link_contacts

    for sentence in (f"<p>Bel {number} als je wilt.</p>", f"<p>Bel {number}.</p>", f"<li>({number})</li>"):
        assert links(link_contacts(sentence)) == [(number, href)], sentence


@pytest.mark.parametrize(
    "address",
    ["info@praktijk.nl", "klachten@beroepsvereniging.example", "voor.naam+praktijk@mail.zachte-grond.example"],
)
def test_an_email_address_in_a_text_becomes_a_mailto_link(address):
    from content.markup import link_contacts

    for sentence in (f"<p>Mail {address} gerust.</p>", f"<p>Mail naar {address}.</p>", f"<p>({address})</p>"):
        assert links(link_contacts(sentence)) == [(address, f"mailto:{address}")], sentence


NOT_PHONE_NUMBERS = [
    "Op 23-11-2026 ben ik er niet.",
    "Op 2026-11-23 ben ik er niet.",
    "Vanaf 06-12-2026 10 uur weer open.",
    "Op 23/11/2026 om 10:00.",
    "Van 09.30-10.30 uur of 09:30 – 10:30.",
    "Een sessie kost € 113, of €95,00, of € 0,95 per minuut.",
    "Dat is 1.250 euro per jaar.",
    "KvK 12345678 en KvK 00000000 (voorbeeld).",
    "AGB-code 90-000000, of 90123456.",
    "RBCZ-nummer 000000, BIG 19012345601.",
    "Bankrekening NL91 ABNA 0417 1643 00 of NL91ABNA0417164300.",
    "Postcode 1234 AB Voorbeeldstad.",
    "Chat via 113.nl of www.113.nl.",
    "Versie 1.12 en 2.113 en 1112 en 113e.",
    "Een nummer te veel: 0612345678901, of 020 123 45 67 89.",
    "Zie https://voorbeeld.example/bel/06-12345678 voor meer.",
    "Geen adres: naam@praktijk of @praktijk.",
]


@pytest.mark.parametrize("text", NOT_PHONE_NUMBERS)
def test_dates_times_prices_and_registration_numbers_stay_text(text):
    from content.markup import link_contacts

    html = f"<p>{text}</p>"
    assert link_contacts(html) == html


@pytest.mark.parametrize(
    "html",
    [
        '<p><a href="/contact/">Bel 06-12345678</a></p>',
        '<p><a href="mailto:info@praktijk.nl">info@praktijk.nl</a></p>',
        '<p><a href="/x/"><strong>info@praktijk.nl</strong> of 020 123 4567</a></p>',
        '<p><abbr title="06-12345678 of info@praktijk.nl">tel</abbr></p>',
        '<figure><img src="/media/a.jpg" alt="Bel 06-12345678 of mail info@praktijk.nl" data-file="1"></figure>',
        "<pre><code>info@praktijk.nl 06-12345678</code></pre>",
    ],
)
def test_nothing_is_linked_inside_a_link_code_or_an_attribute(html):
    from content.markup import link_contacts

    assert link_contacts(html) == html


def test_text_after_a_link_is_linked_and_escaping_is_kept():
    from content.markup import link_contacts

    html = '<p><a href="/a/">Contact</a> &lt;b&gt; of bel 06-12345678 &amp; mail a@b.nl</p>'
    result = link_contacts(html)
    assert links(result) == [("Contact", "/a/"), ("06-12345678", "tel:0612345678"), ("a@b.nl", "mailto:a@b.nl")]
    assert "&lt;b&gt;" in result and "<b>" not in result
    assert link_contacts(result) == result, "linking twice changes nothing"


def test_phone_numbers_and_addresses_in_page_texts_and_practice_details_are_links(client, db):
    from content.initial_content import load_initial_content

    load_initial_content()
    make_page(
        slug="bereikbaar",
        lead="Bel gerust 06-12345678",
        body="<p>Bel 020 123 4567 of mail hallo@praktijk.example.</p><p>[[klachtenfunctionaris]]</p>",
    )
    page = soup(client.get("/bereikbaar/"))
    hrefs = {a.get_text(): a["href"] for a in page.find("article").find_all("a")}
    assert hrefs["020 123 4567"] == "tel:0201234567"
    assert hrefs["hallo@praktijk.example"] == "mailto:hallo@praktijk.example"
    assert hrefs["klachten@beroepsvereniging.example"] == "mailto:klachten@beroepsvereniging.example"
    assert page.find("p", class_="lead").a["href"] == "tel:0612345678"
    crisis = page.find("footer").find("section", class_="crisis")
    assert [a["href"] for a in crisis.find_all("a")] == ["tel:112", "tel:113", "tel:08000113"]
    assert "113.nl" in crisis.get_text()
    # KvK and AGB numbers in the footer stay text.
    assert not page.find("footer").find("p", class_="small").find("a")
    # Without a crisis text of her own, the site's words say the same, linked the same.
    from content.models import PracticeDetails

    PracticeDetails.objects.update(crisis_text="")
    crisis = soup(client.get("/bereikbaar/")).find("footer").find("section", class_="crisis")
    assert [a["href"] for a in crisis.find_all("a")] == ["tel:112", "tel:113", "tel:08000113"]
