"""Searching the index: matching, ranking, the short-query fallback, paging."""

from __future__ import annotations

import pytest
from django.db import connection

from read_model.models import fold
from read_model.search import search


def names(results) -> list[str]:
    return [customer.name for customer in results.customers]


@pytest.mark.django_db
def test_case_insensitive_substring_of_name_and_email(add_customer):
    add_customer("Acme Logistics", "ops@acme.com")
    add_customer("Globex", "billing@GLOBEX.example")
    add_customer("Initech", "hello@initech.io")

    assert names(search("LOGIST")) == ["Acme Logistics"]
    assert names(search("globex.EX")) == ["Globex"]
    assert names(search("zzz-missing")) == []


@pytest.mark.django_db
def test_agent_name_matches(add_customer):
    add_customer("Acme", agents=["Invoice Agent"])
    add_customer("Globex", agents=["Refund Agent"])

    assert names(search("refund")) == ["Globex"]


@pytest.mark.django_db
def test_exact_party_id(add_customer):
    add_customer("Acme")
    wanted = add_customer("Globex")

    assert names(search(wanted.party_id)) == ["Globex"]


@pytest.mark.django_db
def test_ranked_exact_then_prefix_then_substring_ties_newest_first(add_customer):
    add_customer("Old Janet", age_days=30)
    add_customer("Janet Old Prefix", age_days=20)
    add_customer("New Janet", age_days=1)
    add_customer("janet", age_days=50)
    add_customer("Janet New Prefix", age_days=2)
    add_customer("Someone", "janet@example.com", age_days=10)

    assert names(search("Janet")) == [
        "janet",
        "Janet New Prefix",
        "Someone",  # email starts with the query
        "Janet Old Prefix",
        "New Janet",
        "Old Janet",
    ]


@pytest.mark.django_db
def test_exact_email_outranks_prefix(add_customer):
    add_customer("Ann", "ann@example.com.au")
    add_customer("Ann Exact", "ann@example.com")

    assert names(search("ANN@example.com")) == ["Ann Exact", "Ann"]


@pytest.mark.django_db
def test_short_queries_match_by_prefix_only(add_customer):
    add_customer("Jane Doe", age_days=3)
    add_customer("Benjamin", "jb@example.com", age_days=2)
    add_customer("Nobody", "x@example.com", age_days=1)

    # Trigrams need three characters: one or two match the start of the name or email.
    assert names(search("ja")) == ["Jane Doe"]
    assert names(search("j")) == ["Benjamin", "Jane Doe"]


@pytest.mark.django_db
def test_wildcards_and_quotes_are_literal(add_customer):
    add_customer("100% Cotton", "a@example.com")
    add_customer("1000 Cotton", "b@example.com")
    add_customer('"Quoted" & Sons', "c@example.com")

    assert names(search("100%")) == ["100% Cotton"]
    assert names(search("0_c")) == []
    assert names(search('"quoted"')) == ['"Quoted" & Sons']


@pytest.mark.django_db
def test_non_ascii_is_folded_on_both_sides(add_customer):
    add_customer("Zoë Ångström-Øster")

    assert names(search("ÅNGSTRÖM")) == ["Zoë Ångström-Øster"]


@pytest.mark.django_db
def test_empty_query_lists_newest_first(add_customer):
    add_customer("Older", age_days=5)
    add_customer("Newer", age_days=1)

    assert names(search("")) == ["Newer", "Older"]


@pytest.mark.django_db
def test_pages_by_offset(add_customer):
    for number in range(7):
        add_customer(f"Customer {number}", age_days=10 - number)

    first = search("customer", page_size=3)
    second = search("customer", offset=3, page_size=3)
    last = search("customer", offset=6, page_size=3)

    assert names(first) == ["Customer 6", "Customer 5", "Customer 4"]
    assert first.has_next
    assert not first.has_previous
    assert names(second) == ["Customer 3", "Customer 2", "Customer 1"]
    assert second.has_previous
    assert second.previous_offset == 0
    assert names(last) == ["Customer 0"]
    assert not last.has_next


@pytest.mark.django_db
def test_text_index_follows_updates_and_deletes(add_customer):
    customer = add_customer("Before Name")
    customer.name, customer.name_folded = "After Name", fold("After Name")
    customer.save()

    assert names(search("before")) == []
    assert names(search("after")) == ["After Name"]

    customer.delete()
    assert names(search("after")) == []


@pytest.mark.django_db
def test_a_real_text_index_serves_substring_queries(add_customer):
    add_customer("Acme Logistics")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'customer_index_fts'")
            assert "trigram" in cursor.fetchone()[0]
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename = "
                "'customer_index_indexedcustomer' AND indexdef LIKE '%%gin_trgm_ops%%'"
            )
            assert cursor.fetchone()[0] == 3


@pytest.mark.django_db
def test_pages_run_across_rank_tiers(add_customer):
    add_customer("anna", age_days=9)
    for number in range(3):
        add_customer(f"Anna Prefix {number}", age_days=5 - number)
    for number in range(3):
        add_customer(f"Hanna Substring {number}", age_days=5 - number)

    pages = [names(search("anna", offset=offset, page_size=2)) for offset in (0, 2, 4, 6)]

    assert pages == [
        ["anna", "Anna Prefix 2"],
        ["Anna Prefix 1", "Anna Prefix 0"],
        ["Hanna Substring 2", "Hanna Substring 1"],
        ["Hanna Substring 0"],
    ]


@pytest.mark.django_db
def test_many_candidates_take_the_newest_first_walk_with_the_same_answer(add_customer, monkeypatch):
    for number in range(6):
        add_customer(f"Jo Prefix {number}", age_days=10 - number)
        add_customer(f"Bojo Substring {number}", age_days=10 - number)
    few = names(search("jo")), names(search("jo p")), names(search("ojo"))

    monkeypatch.setattr("read_model.search.DENSE", 2)

    assert (names(search("jo")), names(search("jo p")), names(search("ojo"))) == few
