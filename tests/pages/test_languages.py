"""Every page in both languages, in Chromium, with no untranslated label (``api/pages/i18n.py``).

Data (names, hashes, addresses, amounts, documents) is marked ``translate="no"``, HTML's attribute for content
that is not to be translated; everything else on a page is a label. So, with the data left out, an English
page must show no Chinese character, and a Chinese page no English word but the few technical terms that stay
as they are in Chinese texts too (units, formats, standards).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Page

from tests.pages.conftest import PagesWorld, screenshot, sign_in

pytestmark = pytest.mark.browser

KEPT_IN_CHINESE: Final = frozenset(
    {
        "dCNY",
        "CSV",
        "JSON",
        "Lines",
        "SVG",
        "PDF",
        "EIP",
        "OCR",
        "UTC",
        "RPC",
        "ABI",
        "keccak",
        "logs",
        "logIndex",
    }
)
"""Terms a Chinese page keeps in Latin letters: the token's symbol, file formats, standards, JSON-RPC fields."""

CJK: Final = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
WORD: Final = re.compile(r"[A-Za-z][A-Za-z_]+")
_FIELD_OR_METHOD: Final = re.compile(r"\{[a-z_]+\}|\beth_[A-Za-z]+")


def foreign_words(chinese: str) -> set[str]:
    """The Latin words of a Chinese text that are neither kept terms, nor JSON-RPC method names
    (``eth_…``), nor a label's ``{fields}``."""
    return set(WORD.findall(_FIELD_OR_METHOD.sub("", chinese))) - KEPT_IN_CHINESE


LABELS_JS: Final = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || parent.closest('[translate="no"], script, style, noscript')) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [alt], [aria-label]')) {
    if (el.closest('[translate="no"]')) continue;
    for (const name of ['placeholder', 'title', 'alt', 'aria-label']) {
      const value = el.getAttribute(name);
      if (value) out.push(value);
    }
  }
  out.push(document.title);
  return out;
}"""


def untranslated(page: Page, language: str) -> list[str]:
    """The labels of the page that are not in ``language``."""
    labels: list[str] = page.evaluate(LABELS_JS)
    if language == "en":
        return [label for label in labels if CJK.search(label)]
    return [label for label in labels if foreign_words(label)]


def _pages(world: PagesWorld) -> dict[str, list[str]]:
    """Who sees which pages (None: signed out)."""
    demo = world.demo
    gift = demo.transactions["donation to the open plan"]
    return {
        "": [
            "/pages",
            "/pages/verify",
            f"/pages/verify/{gift}",
            f"/pages/verify/{demo.transactions['order settled']}",
            f"/pages/verify/{demo.transactions['goods received']}",
            f"/pages/verify/0x{'ab' * 32}",
            "/pages/verify?tx=not-a-hash",
            "/pages/sign-in",
        ],
        "donor-1": ["/pages/donor", f"/pages/donor/gifts/{gift}", "/pages/bank"],
        "charity-1": ["/pages/charity", f"/pages/orders/{demo.orders['paid']}"],
        "merchant-1": ["/pages/third-party", f"/pages/orders/{demo.orders['paid']}"],
        "bank-a": ["/pages/bank", f"/pages/bank/institutions/{world.boot.addresses['bank-a']}"],
        "regulator": ["/pages/regulator", "/pages/regulator?event=DonationReceived&from_block=1"],
        "government": ["/pages/government"],
        "local-government": ["/pages/government"],
    }


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_renders_in_each_language_with_no_untranslated_label(
    pages_world: PagesWorld, page: Page, tmp_path: Path, language: str
) -> None:
    walked = 0
    for login, paths in _pages(pages_world).items():
        page.context.clear_cookies()
        if login:
            sign_in(page, login, lang=language)
        for path in paths:
            joiner = "&" if "?" in path else "?"
            answer = page.goto(f"{path}{joiner}lang={language}")
            assert answer is not None
            assert answer.status < 500, f"{path}: {answer.status}"
            assert page.get_attribute("html", "lang") == ("zh-CN" if language == "zh" else "en")
            assert untranslated(page, language) == [], f"{login or 'signed out'} {path}"
            walked += 1
        screenshot(page, tmp_path, f"{login or 'public'}-{language}")
    assert walked == sum(len(paths) for paths in _pages(pages_world).values())


def test_the_language_switch_keeps_the_page_and_is_remembered(pages_world: PagesWorld, page: Page) -> None:
    gift = pages_world.demo.transactions["donation to the open plan"]
    page.goto(f"/pages/verify/{gift}?lang=zh")
    assert page.inner_text("h1") == "核验一笔交易"
    page.click("header .lang a[lang=en]")
    assert page.inner_text("h1") == "Verify a transaction"
    assert f"/pages/verify/{gift}" in page.url
    page.goto("/pages")  # no ?lang: the cookie remembers the choice
    assert page.get_attribute("html", "lang") == "en"


def test_pages_fit_a_phone(pages_world: PagesWorld, page: Page, tmp_path: Path) -> None:
    """On a 390 px wide screen the verify page needs no sideways scrolling (the graph and tables scroll in
    their own boxes)."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/pages/verify/{pages_world.demo.transactions['donation to the open plan']}?lang=zh")
    page.wait_for_selector("figure.graph svg")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(page, tmp_path, "phone")
