"""The table page's query string and its quick chart, without a database: the filter form becomes the data
API's parameters, sort links toggle, and the chart suits the columns."""

from __future__ import annotations

from datatorget.web.charts import ChartPlan, bar_chart, line_chart, nice_ticks, plan_chart
from datatorget.web.i18n import Translator
from datatorget.web.table_page import TableQuery, canonical, filter_label, parse_table_query

TYPES = {"Namn": "string", "Pris": "number", "Antal": "integer", "Datum": "date"}


def form(column: str, op: str, value: str, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [*extra, ("_q", ""), ("_filter_column", column), ("_filter_op", op), ("_filter_value", value)]


def test_the_filter_form_becomes_one_api_parameter_and_starts_the_paging_over() -> None:
    found = canonical(form("Namn", "contains", " strand ", ("_sort", "-Pris"), ("_offset", "50")), TYPES)

    assert found == TableQuery((("_sort", "-Pris"), ("Namn__contains", "strand")))


def test_numbers_typed_the_swedish_way_are_read_as_the_api_reads_them() -> None:
    assert canonical(form("Pris", "gte", "1 234,5"), TYPES) == TableQuery((("Pris__gte", "1234.5"),))
    assert canonical(form("Pris", "in", "1,5;2,5"), TYPES) == TableQuery((("Pris__in", "1.5,2.5"),))
    assert canonical(form("Antal", "in", "1, 2"), TYPES) == TableQuery((("Antal__in", "1,2"),))
    assert canonical(form("Namn", "", "1,5"), TYPES) == TableQuery((("Namn", "1,5"),))


def test_empty_and_not_empty_need_no_value() -> None:
    assert canonical(form("Datum", "isnull", ""), TYPES) == TableQuery((("Datum__isnull", "true"),))
    assert canonical(form("Datum", "notnull", ""), TYPES) == TableQuery((("Datum__isnull", "false"),))


def test_a_form_without_a_column_or_value_adds_no_filter() -> None:
    assert canonical(form("", "", "x"), TYPES) == TableQuery(())
    assert canonical(form("Namn", "", ""), TYPES) == TableQuery(())
    assert canonical(form("Finns inte", "", "x"), TYPES) == TableQuery(())
    assert canonical([("Namn", "x")], TYPES) is None


def test_the_page_keeps_only_the_parameters_it_reads() -> None:
    query = parse_table_query(
        [("Namn", "x"), ("_after", "abc"), ("_shape", "arrays"), ("_q", " "), ("_size", "5")]
    )

    assert query == TableQuery((("Namn", "x"), ("_size", "5")))


def test_a_sort_link_sorts_ascending_then_descending_and_starts_the_paging_over() -> None:
    query = TableQuery((("Namn", "x"), ("_offset", "25")))

    ascending = query.sorted_by("Pris")
    descending = ascending.sorted_by("Pris")

    assert ascending.link("/t") == "/t?Namn=x&_sort=Pris"
    assert descending.link("/t") == "/t?Namn=x&_sort=-Pris"
    assert descending.sorted_by("Pris").sort() == [("Pris", False)]
    assert descending.sorted_by("Namn").sort() == [("Namn", False)]


def test_a_column_with_a_comma_in_its_name_is_sorted_by_a_json_list() -> None:
    query = TableQuery(()).sorted_by("Pris, kr")

    assert query.params == (("_sort", '["Pris, kr"]'),)
    assert query.sort() == [("Pris, kr", False)]
    assert query.sorted_by("Pris, kr").sort() == [("Pris, kr", True)]


def test_filters_are_read_against_the_columns_and_labelled_for_people() -> None:
    t = Translator("sv")
    query = TableQuery((("Namn", "Ek"), ("Pris__lt", "20"), ("Datum__isnull", "nej"), ("Annan__gt", "1")))

    labels = [filter_label(f, f.column, t) for f in query.filters(list(TYPES))]

    assert labels == ["Namn = Ek", "Pris < 20", "Datum är inte tom"]


def test_downloads_carry_the_filters_and_sort_but_not_the_paging() -> None:
    query = TableQuery((("Namn", "Ek"), ("_sort", "Pris"), ("_size", "10"), ("_offset", "10")))

    assert query.export_params() == [("Namn", "Ek"), ("_sort", "Pris")]


# --- the chart ------------------------------------------------------------------------------------------


def stats(
    name: str, kind: str, top: list[tuple[object, int]], nulls: int = 0, distinct: int = 0
) -> dict[str, object]:
    return {"name": name, "type": kind, "nulls": nulls, "distinct": distinct or len(top),
            "top": [{"value": v, "count": n} for v, n in top]}  # fmt: skip


def test_a_date_and_a_number_make_a_line_chart() -> None:
    fields = [
        {"name": "Datum", "type": "date"},
        {"name": "Latitud", "type": "number"},
        {"name": "PM10", "type": "number"},
    ]
    found = plan_chart(fields, [stats("Datum", "date", [("2024-01-01", 2)], distinct=14)], 30, can_group=True)

    assert found == ChartPlan("line", "Datum", "PM10")


def test_few_repeated_values_make_a_bar_chart_and_unique_ones_do_not() -> None:
    fields = [
        {"name": "Id", "type": "string"},
        {"name": "Typ", "type": "string"},
        {"name": "Ok", "type": "boolean"},
    ]
    columns = [
        stats("Id", "string", [("a", 1), ("b", 1)], distinct=9),
        stats("Typ", "string", [("Sjö", 6), ("Hav", 5)]),
        stats("Ok", "boolean", [(True, 8), (False, 3)]),
    ]

    assert plan_chart(fields, columns, 11, can_group=False) == ChartPlan(
        "bar", "Typ", None, complete_top=True
    )
    assert plan_chart(fields[:1], columns[:1], 11, can_group=True) is None


def test_without_statistics_there_is_no_chart() -> None:
    assert plan_chart([{"name": "Typ", "type": "string"}], None, 10, can_group=True) is None


def test_bars_are_scaled_to_the_largest_value_and_long_labels_shortened() -> None:
    chart = bar_chart([("Ett mycket långt namn på ett värde", 10.0), ("Kort", 5.0)], "sv")

    assert chart is not None
    assert [bar.width for bar in chart.bars] == [370.0, 185.0]
    assert chart.bars[0].short_label == "Ett mycket långt namn p…"
    assert chart.bars[1].value_text == "5"


def test_a_line_chart_spaces_the_dates_by_time_on_round_ticks() -> None:
    chart = line_chart([("2024-01-01", 10.0), ("2024-01-02", 12.5), ("2024-01-11", 20.0)], "sv")

    assert chart is not None
    assert [p.x for p in chart.points] == [72.0, 126.8, 620.0]
    assert [tick.text for tick in chart.y_ticks] == ["10", "12", "14", "16", "18", "20"]
    assert chart.points[1].value_text == "12,50"
    assert chart.path.startswith("M72.0,")


def test_round_ticks_cover_the_values() -> None:
    assert nice_ticks(3.2, 48.7, 5) == ([0, 10, 20, 30, 40, 50], 10)
    assert nice_ticks(5, 5, 5)[0][0] <= 5 <= nice_ticks(5, 5, 5)[0][-1]
