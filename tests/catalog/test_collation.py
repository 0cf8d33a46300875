"""Swedish alphabetical order as a sort key."""

from __future__ import annotations

from datatorget.catalog.collation import swedish_sort_key


def test_a_ring_a_umlaut_and_o_umlaut_come_after_z_in_that_order() -> None:
    words = ["ö", "z", "å", "ä", "a"]
    assert sorted(words, key=swedish_sort_key) == ["a", "z", "å", "ä", "ö"]


def test_case_does_not_matter() -> None:
    assert swedish_sort_key("Äpple") == swedish_sort_key("äpple")


def test_other_accents_sort_with_their_base_letter() -> None:
    assert sorted(["café", "cafeteria", "cafe"], key=swedish_sort_key) == [
        "café",
        "cafe",
        "cafeteria",
    ] or sorted(["café", "cafeteria", "cafe"], key=swedish_sort_key) == ["cafe", "café", "cafeteria"]


def test_danish_and_german_letters_sort_as_their_swedish_twins() -> None:
    assert swedish_sort_key("Ærø") == swedish_sort_key("ärö")
    assert swedish_sort_key("Müller") == swedish_sort_key("myller")


def test_decomposed_letters_sort_like_composed_ones() -> None:
    assert swedish_sort_key("A\u030angström") == swedish_sort_key("Ångström")
