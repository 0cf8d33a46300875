"""Dates, sizes and labels as Swedish and English readers expect them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from datatorget.web.formatting import format_date, format_size, label, localized


def test_dates_are_written_out_in_each_language() -> None:
    assert format_date(date(2024, 3, 5), "sv") == "5 mars 2024"
    assert format_date(date(2024, 3, 5), "en") == "5 March 2024"


def test_a_moment_is_dated_in_swedish_time() -> None:
    late_evening_utc = datetime(2024, 6, 30, 23, 30, tzinfo=UTC)

    assert format_date(late_evening_utc, "sv") == "1 juli 2024"


def test_sizes_use_decimal_units_and_the_languages_decimal_mark() -> None:
    assert format_size(512, "sv") == "512\u00a0byte"
    assert format_size(512, "en") == "512\u00a0bytes"
    assert format_size(1_234_567, "sv") == "1,2\u00a0MB"
    assert format_size(1_234_567, "en") == "1.2\u00a0MB"
    assert format_size(250_000, "en") == "250\u00a0kB"


def test_vocabulary_terms_are_labelled_in_the_language() -> None:
    assert label("themes", "ENVI", "sv") == "Miljö"
    assert label("themes", "ENVI", "en") == "Environment"
    assert label("themes", "NOT-A-THEME", "en") == "NOT-A-THEME"


def test_a_missing_english_text_falls_back_to_swedish_and_says_so() -> None:
    found = localized({"sv": "Badplatser"}, "en")

    assert (found.text, found.lang) == ("Badplatser", "sv")
