"""Reading a search query into terms, ranking what the stores found and the snippets shown:
no store needed."""

from __future__ import annotations

from datetime import date

import pytest

from application.entry_search import (
    MARKS,
    QueryRefused,
    Term,
    ranked,
    read_query,
    snippet,
)
from web.search.routes import highlighted


def entry(n, summary, body, effective=date(2025, 1, 1)):
    return {"notification_id": n, "summary": summary, "body": body, "effective": effective}


@pytest.mark.parametrize("text, terms", [
    ("phonics", [Term(("phonics",))]),
    ("Phonics PHONICS", [Term(("phonics",))]),
    ("phon*", [Term(("phon",), prefix=True)]),
    ('"reading recovery" phon*', [Term(("reading", "recovery")), Term(("phon",), True)]),
    ("follow-up", [Term(("follow", "up"))]),
    ('NEAR(a b)', [Term(("near", "a")), Term(("b",))]),
    ('"unbalanced', [Term(("unbalanced",))]),
    ("a AND OR", [Term(("a",)), Term(("and",)), Term(("or",))]),
    ("snake_case", [Term(("snake", "case"))]),
    ("Zoë", [Term(("zoë",))]),
])
def test_a_query_is_read_into_terms_of_letters_and_digits(text, terms):
    assert list(read_query(text).terms) == terms


def test_every_term_is_quoted_for_fts5_so_no_word_is_an_operator():
    assert read_query('NEAR(x AND y* ) "a b" -c').fts5() == '"near x" "and" "y"* "a b" "c"'


@pytest.mark.parametrize("text, message", [
    ("", "Enter a word or number to search for"),
    ("   ", "Enter a word or number to search for"),
    ('*"()-^:', "Enter a word or number to search for"),
    ("x" * 201, "Enter a search of 200 characters or fewer"),
    (" ".join(f"w{n}" for n in range(13)), "Enter 12 words or fewer"),
])
def test_a_query_with_nothing_to_search_for_or_too_long_is_refused(text, message):
    with pytest.raises(QueryRefused, match=message):
        read_query(text)


def test_more_of_the_words_and_in_the_summary_rank_first_then_the_newest():
    query = read_query("phonics")
    found = [entry(1, "Visit", "phonics seen", date(2025, 1, 1)),
             entry(2, "Phonics concern", "phonics phonics", date(2024, 1, 1)),
             entry(3, "Visit", "phonics seen", date(2025, 6, 1)),
             entry(4, "Visit", "phonics seen", date(2025, 6, 1))]
    assert [e["notification_id"] for e in ranked(found, query)] == [2, 4, 3, 1]


def test_a_snippet_marks_the_words_found_from_a_little_before_the_first():
    words = " ".join(f"w{n}" for n in range(40))
    shown = snippet(entry(1, "Visit", f"{words} the Phonics plan {words}"), read_query("phonics"))
    assert f"{MARKS[0]}Phonics{MARKS[1]} plan" in shown
    assert shown.startswith("…w33") and shown.endswith("…")


def test_a_snippet_marks_another_form_of_a_word_the_store_matched():
    shown = snippet(entry(1, "Visit", "Saw two reading lessons"), read_query("lesson"))
    assert f"{MARKS[0]}lessons{MARKS[1]}" in shown


def test_the_page_escapes_a_snippet_before_marking_it():
    assert str(highlighted(f"<b>{MARKS[0]}x{MARKS[1]}</b> {MARKS[0]}open")) == (
        "&lt;b&gt;<mark>x</mark>&lt;/b&gt; <mark>open</mark>")
