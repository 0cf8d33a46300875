"""CKAN's `q` and `fq` syntax: what the parser reads, and every kind of query it refuses."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from datatorget.interop.ckan_query import (
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    And,
    Everything,
    Not,
    Or,
    Range,
    SearchQueryError,
    Term,
    parse_query,
    positive_words,
)
from datatorget.interop.ckan_search import parse_sort


def test_an_empty_query_and_star_colon_star_are_everything() -> None:
    assert parse_query("") == Everything()
    assert parse_query("  ") == Everything()
    assert parse_query("*:*") == Everything()


def test_a_field_and_a_value_are_a_term() -> None:
    assert parse_query("organization:sjovik") == Term("organization", "sjovik")


def test_a_word_without_a_field_is_free_text() -> None:
    assert parse_query("badplatser") == Term("", "badplatser")
    assert parse_query("text:badplatser") == Term("", "badplatser")


def test_a_hyphen_inside_a_word_is_part_of_it() -> None:
    assert parse_query("tags:cykel-vagar") == Term("tags", "cykel-vagar")


def test_a_quoted_value_keeps_its_spaces() -> None:
    assert parse_query('tags:"öppna data"') == Term("tags", "öppna data")


def test_a_backslash_escapes_a_special_character() -> None:
    assert parse_query(r"tags:a\:b") == Term("tags", "a:b")


def test_words_side_by_side_must_all_hold() -> None:
    assert parse_query("organization:a tags:b") == And((Term("organization", "a"), Term("tags", "b")))
    assert parse_query("organization:a AND tags:b") == parse_query("organization:a && tags:b")


def test_or_binds_tighter_than_the_implicit_and_as_the_ckan_harvester_means_it() -> None:
    assert parse_query("organization:a OR organization:b -organization:c") == And(
        (Or((Term("organization", "a"), Term("organization", "b"))), Not(Term("organization", "c")))
    )


def test_minus_bang_and_not_negate_and_plus_changes_nothing() -> None:
    negated = Not(Term("groups", "envi"))
    assert parse_query("-groups:envi") == negated
    assert parse_query("!groups:envi") == negated
    assert parse_query("NOT groups:envi") == negated
    assert parse_query("+groups:envi") == Term("groups", "envi")


def test_a_field_applies_to_a_parenthesised_group_of_values() -> None:
    assert parse_query("tags:(bad OR sjö)") == Or((Term("tags", "bad"), Term("tags", "sjö")))


def test_parentheses_group_expressions() -> None:
    assert parse_query("(tags:a OR tags:b) groups:envi") == And(
        (Or((Term("tags", "a"), Term("tags", "b"))), Term("groups", "envi"))
    )


def test_a_star_value_asks_for_any_value() -> None:
    assert parse_query("res_format:*") == Term("res_format", "*")


def test_a_range_on_metadata_modified_reads_its_ends_in_utc() -> None:
    assert parse_query("metadata_modified:[2024-05-01T10:00:00.5Z TO *]") == Range(
        "metadata_modified", datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC), None
    )


def test_a_range_takes_dates_naive_times_and_exclusive_ends() -> None:
    assert parse_query("metadata_created:{2024-01-01 TO 2024-02-01T00:00:00}") == Range(
        "metadata_created",
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 2, 1, tzinfo=UTC),
        include_low=False,
        include_high=False,
    )


def test_positive_words_leave_out_negated_and_alternative_words() -> None:
    assert positive_words(parse_query("bad sjö -hav (a OR b) tags:x")) == ["bad", "sjö"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("title:bad", "cannot search the field 'title'"),
        ("organization:", "the field organization: has no value"),
        ("organization:(a OR", "the query ends too early"),
        ("(tags:a", "the query ends too early"),
        ("tags:a)", "unexpected ')' in the query"),
        ('tags:"öppna', "the quotation mark at position 6 is not closed"),
        ("metadata_modified:[2024-01-01 TO *", "the range at position 19 is not closed"),
        ("metadata_modified:[2024-01-01 *]", "write a range as [from TO to]"),
        ("metadata_modified:[igår TO *]", "'igår' is not a date or time"),
        ("metadata_modified:2024-01-01", "search metadata_modified with a range"),
        ("tags:[a TO b]", "ranges are only supported on metadata_created and metadata_modified, not tags"),
        ("tags:bad*", "wildcards are not supported in values: tags:bad*"),
        ("organization:-sjovik", "write -organization:value rather than organization:-value"),
        ("tags:(groups:envi)", "'groups:' cannot follow the field tags:"),
        ("OR tags:a", "unexpected 'OR' in the query"),
    ],
)
def test_a_query_outside_the_grammar_is_a_search_query_error(query: str, message: str) -> None:
    with pytest.raises(SearchQueryError, match="^" + re.escape(message)):
        parse_query(query)


def test_a_query_past_the_limits_is_refused() -> None:
    with pytest.raises(SearchQueryError, match=f"at most {MAX_QUERY_LENGTH}"):
        parse_query("a" * (MAX_QUERY_LENGTH + 1))
    with pytest.raises(SearchQueryError, match=f"more than {MAX_TERMS} terms"):
        parse_query(" ".join(["tags:a"] * (MAX_TERMS + 1)))
    with pytest.raises(SearchQueryError, match=f"more than {MAX_DEPTH} levels"):
        parse_query("(" * (MAX_DEPTH + 2) + "tags:a" + ")" * (MAX_DEPTH + 2))


def test_sort_reads_fields_and_directions() -> None:
    assert parse_sort("metadata_modified desc, name asc") == [("metadata_modified", True), ("name", False)]
    assert parse_sort("id") == [("id", False)]


@pytest.mark.parametrize("sort", ["views_recent desc", "name sideways", "name asc extra"])
def test_a_sort_outside_the_known_fields_is_a_search_query_error(sort: str) -> None:
    with pytest.raises(SearchQueryError, match="cannot sort by"):
        parse_sort(sort)
