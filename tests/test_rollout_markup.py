"""The scanner ``hashes`` and ``audit --templates`` read pages with.

What it finds follows the HTML tokenizer (checked against Chromium in
integration/test_rollout_browser.py), and its work is linear whatever the
page holds: asserted on the characters it looks at (``Scan.examined``), not
on time; ``benchmarks/hostile_inputs.py`` measures the time.
"""

from __future__ import annotations

import pytest

from secheaders_wsgi.inline.markup import scan

# Markup that crashed html.parser (<![ b: AssertionError) or made it rescan
# the rest of the page at every "<" it could not finish (80 KB of "<a " took
# over a minute), and the ordinary shapes at the same size.
HOSTILE = {
    "declaration-without-name": "<p>hi</p><![ b" + "x" * 100_000,
    "unclosed-tags": "<a " * 30_000,
    "tags-without-names": "<a" * 50_000,
    "unclosed-attributes": "<a b='" + "x " * 50_000,
    "unclosed-comments": "<!--" * 25_000,
    "many-lt": "<" * 100_000,
    "end-tags": "</a" * 30_000,
    "attributes": "<a " + "b=1 " * 25_000 + ">",
    "deep-nesting": "<div>" * 20_000 + "</div>" * 20_000,
    "closed-tags": '<a href="/x" onclick="go()">' * 3_000,
    "script-escapes": "<script>" + "<!--<script></script>-->" * 4_000 + "</script>",
    "entities": "<a title='" + "&amp=1&notit;&#x41;" * 5_000 + "'>",
    "junk": "".join(chr(32 + (i * 7919) % 95) for i in range(100_000)),
}


@pytest.mark.parametrize("page", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_work_is_linear_in_the_page(page: str) -> None:
    found = scan(page)
    assert len(page) >= 80_000
    assert found.examined <= 3 * len(page)


def test_a_declaration_without_a_name_is_an_unfinished_page_not_a_crash() -> None:
    # Regression: html.parser raised AssertionError("expected name token").
    found = scan("<p id=a>\n<script>x()</script>\n<![ b")
    assert [(e.name, e.line) for e in found.elements] == [("p", 1), ("script", 2)]
    assert found.unfinished == (3, "a '<!' declaration")


@pytest.mark.parametrize(
    ("page", "unfinished"),
    [
        pytest.param(
            "<p>\n<a href='x>", (2, "a quoted value in the tag <a"), id="quote"
        ),
        pytest.param("<p>\n<div class=a", (2, "the tag <div"), id="tag"),
        pytest.param("<p>\n<!-- <script>", (2, "a comment"), id="comment"),
        pytest.param("<p>\n<script>x()", (2, "a <script>"), id="script"),
        pytest.param("<p>\n<script>x()</script", (2, "a <script>"), id="half-end-tag"),
        pytest.param(
            "<p>\n<script>x()</script ", (2, "the tag </script"), id="end-tag"
        ),
        pytest.param("<p>\n<style>p{}", None, id="style-runs-to-the-end"),
    ],
)
def test_where_a_page_ends_unfinished(
    page: str, unfinished: tuple[int, str] | None
) -> None:
    assert scan(page).unfinished == unfinished


@pytest.mark.parametrize(
    ("page", "texts"),
    [
        pytest.param(
            "<script><!--\nvar s = '<script>x</script>';\n--></script>",
            ["<!--\nvar s = '<script>x</script>';\n-->"],
            id="double-escaped-end-tag-stays",
        ),
        pytest.param(
            "<script><!-- a </script>b", ["<!-- a "], id="escaped-end-tag-ends"
        ),
        pytest.param("<script><!--></script>", ["<!-->"], id="abrupt-escape"),
        pytest.param("<script>a</SCRIPT >", ["a"], id="end-tag-any-case"),
        pytest.param("<script>a</scripty></script>", ["a</scripty>"], id="not-the-end"),
        pytest.param(
            "<script>a</script foo='>'>b<script>c</script>",
            ["a", "c"],
            id="end-tag-attributes",
        ),
        pytest.param("<style>p{}</style >", ["p{}"], id="style"),
        pytest.param("<style>p{}", ["p{}"], id="style-at-the-end"),
        pytest.param("<script>a\0b</script>", ["a\ufffdb"], id="nul"),
    ],
)
def test_script_and_style_text_ends_where_a_browser_ends_it(
    page: str, texts: list[str]
) -> None:
    assert [e.text for e in scan(page).elements if e.text is not None] == texts


@pytest.mark.parametrize(
    ("page", "names"),
    [
        pytest.param("<textarea><script>x</script></textarea>", ["textarea"], id="textarea"),
        pytest.param("<title><script>x</script></title><b>", ["title", "b"], id="title"),
        pytest.param("<iframe><script>x</script></iframe>", ["iframe"], id="iframe"),
        pytest.param("<!-- <script>x</script> --><b>", ["b"], id="comment"),
        pytest.param("<!--><b>", ["b"], id="abrupt-comment"),
        pytest.param("<![CDATA[<script>x</script>]]><b>", ["b"], id="cdata-to-first->"),
        pytest.param("<?php echo 1 ?><b>", ["b"], id="processing-instruction"),
        pytest.param("</><b>", ["b"], id="empty-end-tag"),
        pytest.param("<plaintext><script>x</script>", ["plaintext"], id="plaintext"),
        pytest.param("<noscript><style>p{}</style></noscript>", ["noscript", "style"],
                     id="noscript-is-parsed"),
        pytest.param("a < b <3 <B>", ["b"], id="lone-lt-and-upper-case"),
    ],
)  # fmt: skip
def test_only_real_start_tags_count(page: str, names: list[str]) -> None:
    assert [e.name for e in scan(page).elements] == names


@pytest.mark.parametrize(
    ("tag", "attributes"),
    [
        pytest.param(
            '<a onclick=\'x(">")\' b=1 c d = "2">',
            (("onclick", 'x(">")'), ("b", "1"), ("c", ""), ("d", "2")),
            id="quotes-and-spaces",
        ),
        pytest.param("<a B=1 b=2>", (("b", "1"),), id="first-of-a-name-wins"),
        pytest.param("<a/b/c=1/>", (("b", ""), ("c", "1/")), id="slashes"),
        pytest.param("<a =x>", (("=x", ""),), id="equals-first"),
        pytest.param(
            "<a t='&quot;&#65;&#x42;&amp;'>", (("t", '"AB&'),), id="references"
        ),
        pytest.param(
            "<a t='?a=1&copy=2&amp;x&notit;'>",
            (("t", "?a=1&copy=2&x&notit;"),),
            id="legacy-names-before-=-or-letters-stay",
        ),
        pytest.param("<a t='&not x &lt'>", (("t", "¬ x <"),), id="legacy-names"),
    ],
)
def test_attributes_are_what_the_dom_holds(
    tag: str, attributes: tuple[tuple[str, str], ...]
) -> None:
    (element,) = scan(tag).elements
    assert element.attributes == attributes


def test_lines_count_from_one_across_every_kind_of_markup() -> None:
    page = "<!doctype html>\n<!--\n-->\n<p\nid=a>\n<script>\n</script>\n\n<b>"
    assert [(e.name, e.line) for e in scan(page).elements] == [
        ("p", 4),
        ("script", 6),
        ("b", 9),
    ]
