"""WCAG 2.1 AA in a real browser: axe-core finds no violation on any page, and nothing scrolls sideways at
320 CSS pixels (400 % zoom of a 1280 px window).

One uvicorn server (SQLite, the demo municipality with its tables read in, an editor) and one Chromium
serve the whole module.
Debian's chromium is used, never a downloaded browser; axe-core comes from node_modules (npm install).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from datatorget.catalog import accounts
from datatorget.catalog.models import Dataset, Distribution
from datatorget.dialogue import moderation
from datatorget.dialogue.models import DataRequest, Discussion, DiscussionMessage, Reuse
from datatorget.dialogue.schemas import ReportIn
from datatorget.interop.harvest import run_harvest
from datatorget.interop.harvest_models import HarvestRecord
from datatorget.interop.harvest_schemas import HarvestSourceIn
from datatorget.interop.harvest_sources import create_source, queue_run
from datatorget.jobs.ingestion import reingest
from datatorget.jobs.worker import run_pending
from datatorget.store.models import DataTable
from tests.interop.harvest_support import loopback_only, serve_dcat, serving
from tests.servers import served_demo
from tests.web.pages import PASSWORD

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
EDITOR = "tillganglighet@sjovik.example"

PUBLIC = {
    "home": ("/", "/en/"),
    "search": ("/datamangder?q=bad&theme=ENVI", "/en/datasets?q=bad&theme=ENVI"),
    "dataset": ("/datamangder/badplatser", "/en/datasets/badplatser"),
    "organisation": ("/organisationer/sjovik", "/en/organisations/sjovik"),
    "organisations": ("/organisationer", "/en/organisations"),
    "login": ("/logga-in", "/en/login"),
    "accessibility": ("/tillganglighet", "/en/accessibility"),
    "not-found": ("/datamangder/finns-inte", "/en/datasets/does-not-exist"),
    "data-requests": ("/dataforfragningar?sort=newest", "/en/data-requests?sort=newest"),
    "new-data-request": ("/dataforfragningar/ny", "/en/data-requests/new"),
    "data-request-sent": ("/dataforfragningar/skickad", "/en/data-requests/sent"),
    "unknown-confirmation-link": ("/dataforfragningar/bekrafta?token=x", "/en/data-requests/confirm?token=x"),
    "register": ("/registrera", "/en/register"),
    "reuses": ("/tillampningar", "/en/reuses"),
    "new-reuse": ("/tillampningar/ny", "/en/reuses/new"),
    "discussions": ("/datamangder/badplatser/diskussioner", "/en/datasets/badplatser/discussions"),
}
FOR_EDITORS = {
    "new-dataset": ("/datamangder/ny", "/en/datasets/new"),
    "edit-dataset": ("/datamangder/badplatser/redigera", "/en/datasets/badplatser/edit"),
    "add-distribution": (
        "/datamangder/badplatser/distributioner/ny",
        "/en/datasets/badplatser/distributions/new",
    ),
    "account": ("/konto", "/en/account"),
    "discussions-with-the-form": (
        "/datamangder/evenemang/diskussioner",
        "/en/datasets/evenemang/discussions",
    ),
    "demand": ("/efterfragan", "/en/demand"),
    "quality": ("/kvalitet", "/en/quality"),
    "dataset-with-the-quality-panel-and-hvd-checklist": (
        "/datamangder/badvattenkvalitet",
        "/en/datasets/badvattenkvalitet",
    ),
    "draft-dataset": ("/datamangder/planerade-cykelvagar", "/en/datasets/planerade-cykelvagar"),
    "reuses-waiting-for-approval": ("/tillampningar", "/en/reuses"),
    "new-reuse": ("/tillampningar/ny", "/en/reuses/new"),
    "new-data-request": ("/dataforfragningar/ny", "/en/data-requests/new"),
    "moderation-queue": ("/moderering", "/en/moderation"),
}


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the accessibility tests must run)")
    pytest.skip(reason)


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        _missing("no Chromium found: install Debian's chromium package to run the accessibility tests")
    assert found is not None
    return found


@dataclass(frozen=True)
class Portal:
    url: str
    app: FastAPI


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """The portal on a free port of 127.0.0.1, with the demo municipality (its tables read in) and an
    editor."""
    with served_demo(tmp_path_factory.mktemp("a11y"), secret_key="a11y-" * 8) as app:
        with app.state.sessionmaker.begin() as session:
            accounts.create_user(
                session, email=EDITOR, password=PASSWORD, role="editor", organization_slug="sjovik", by=None
            )
        yield Portal(app.state.settings.base_url, app)


@pytest.fixture(scope="module")
def server(portal: Portal) -> str:
    """The portal's base URL."""
    return portal.url


@pytest.fixture(scope="module")
def tables(portal: Portal) -> dict[str, str]:
    """The Swedish path of the table page of each demo dataset's CSV table, by dataset slug."""
    with portal.app.state.sessionmaker.begin() as session:
        found = session.execute(
            select(Dataset.slug, Distribution.id)
            .join(Distribution.dataset)
            .join(DataTable, DataTable.distribution_id == Distribution.id)
            .where(Distribution.file_name.like("%.csv"), DataTable.current_version.is_not(None))
        ).all()
    return {slug: f"/datamangder/{slug}/tabeller/{table_id}" for slug, table_id in found}


@pytest.fixture(scope="module")
def data_requests(portal: Portal) -> dict[str, str]:
    """The Swedish path of each demo data request's page, by its title."""
    with portal.app.state.sessionmaker.begin() as session:
        found = session.execute(select(DataRequest.title, DataRequest.id)).all()
    return {title: f"/dataforfragningar/{request_id}" for title, request_id in found}


@pytest.fixture(scope="module")
def reported(portal: Portal, data_requests: dict[str, str]) -> str:
    """The Swedish path of a demo request of Sjöviks kommun, reported to the moderators (so that the queue is
    not empty)."""
    path = data_requests["Matsedlar i skolorna"]
    data = ReportIn(target_kind="request", target_id=uuid.UUID(path.rsplit("/", 1)[1]), reason="Reklam.")
    with portal.app.state.sessionmaker.begin() as session:
        moderation.report(session, data, None)
    return path


def english(path: str) -> str:
    return (
        path.replace("/dataforfragningar", "/en/data-requests")
        .replace("/datamangder/", "/en/datasets/")
        .replace("/tabeller/", "/tables/")
        .replace("/installningar", "/settings")
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    if not AXE.is_file():
        _missing(f"{AXE.relative_to(ROOT)} is missing: run `npm ci` to install axe-core")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def visitor(browser: Browser, server: str) -> Iterator[Page]:
    """A browser tab of someone who is not logged in."""
    context = browser.new_context(base_url=server)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def editor(browser: Browser, server: str) -> Iterator[Page]:
    """A browser tab of an editor of Sjöviks kommun, logged in through the login form."""
    context = browser.new_context(base_url=server)
    page = context.new_page()
    page.goto("/logga-in")
    page.fill("#email", EDITOR)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.rstrip("/") == server, "the editor could not log in"
    yield page
    context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return "\n".join(lines)


def assert_no_violations(page: Page, where: str) -> None:
    """axe finds nothing on the page as it is now; `where` (such as "on /path with errors") is told if it does."""
    violations = axe_violations(page)
    assert not violations, f"axe found WCAG 2.1 AA violations {where}:\n{describe(violations)}"


def assert_accessible(page: Page, path: str) -> None:
    page.goto(path)
    assert_no_violations(page, f"on {path}")


def _each(pages: dict[str, tuple[str, str]]) -> list[Any]:
    return [
        pytest.param(path, id=f"{name}-{lang}")
        for name, pair in pages.items()
        for lang, path in zip(("sv", "en"), pair, strict=True)
    ]


def _in_both_languages(named: dict[str, str]) -> list[Any]:
    """(value, lang) for each value in each language, with the id "name-lang"."""
    return [
        pytest.param(value, lang, id=f"{name}-{lang}")
        for name, value in named.items()
        for lang in ("sv", "en")
    ]


@pytest.mark.parametrize("path", _each(PUBLIC))
def test_public_page_has_no_wcag_violations(visitor: Page, path: str) -> None:
    assert_accessible(visitor, path)


@pytest.mark.parametrize("path", _each(FOR_EDITORS))
def test_editor_page_has_no_wcag_violations(editor: Page, path: str) -> None:
    assert_accessible(editor, path)


@pytest.mark.parametrize("path", ["/datamangder/ny", "/en/datasets/new"])
def test_dataset_form_with_errors_has_no_wcag_violations(editor: Page, path: str) -> None:
    editor.goto(path)
    editor.fill("#contact_email", "not-an-email")
    editor.fill("#temporal_start", "2024-12-31")
    editor.fill("#temporal_end", "2024-01-01")
    with editor.expect_navigation():
        editor.click("main form.form button[type=submit]")

    assert editor.locator(".error-summary li").count() >= 3
    assert_no_violations(editor, f"on {path} with errors")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/en/",
        "/datamangder?q=bad&theme=ENVI",
        "/en/datasets?q=bad",
        "/datamangder/badplatser",
        "/en/datasets/badplatser",
        "/dataforfragningar",
        "/en/data-requests/new",
        "/tillampningar",
        "/en/reuses",
    ],
)
def test_page_does_not_scroll_sideways_at_320_pixels(browser: Browser, server: str, path: str) -> None:
    context = browser.new_context(base_url=server, viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto(path)
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    finally:
        context.close()

    assert widths[0] <= widths[1], f"{path} is {widths[0]} px wide in a {widths[1]} px window"


def test_the_skip_link_is_the_first_thing_to_focus_and_is_visible(visitor: Page) -> None:
    visitor.goto("/datamangder/badplatser")
    visitor.keyboard.press("Tab")

    focused = visitor.evaluate(
        "(() => { const e = document.activeElement; const r = e.getBoundingClientRect();"
        " return [e.className, e.getAttribute('href'), r.top >= 0 && r.height > 0]; })()"
    )
    assert focused == ["skip-link", "#main", True]


def test_search_works_with_htmx_without_a_full_reload(visitor: Page) -> None:
    visitor.goto("/datamangder")
    visitor.evaluate("window.notReloaded = true")
    visitor.fill("#q", "badplats")
    visitor.click("form[role=search] button[type=submit]")
    visitor.wait_for_url("**/datamangder?q=badplats*")
    visitor.wait_for_selector("#search-results .dataset-card__title >> text=Badplatser")

    assert visitor.evaluate("window.notReloaded === true")


# --- moderation: a report page, its form with errors, and the queue with a report in it -----------------


@pytest.fixture(scope="module")
def report_pages(portal: Portal, reported: str) -> dict[str, str]:
    """The Swedish path of the report page of a demo request, a message of a demo discussion and a demo reuse."""
    with portal.app.state.sessionmaker.begin() as session:
        discussion = session.scalars(
            select(Discussion).where(Discussion.title == "Vilket koordinatsystem används?")
        ).one()
        message = session.scalars(
            select(DiscussionMessage.id).where(DiscussionMessage.discussion_id == discussion.id)
            .order_by(DiscussionMessage.created_at)
        ).first()  # fmt: skip
        reuse = session.scalars(select(Reuse.id).where(Reuse.title == "Badkollen")).one()
    return {
        "request": f"/anmal/request/{reported.rsplit('/', 1)[1]}",
        "message": f"/anmal/message/{message}",
        "reuse": f"/anmal/reuse/{reuse}",
    }


@pytest.mark.parametrize("kind", ["request", "message", "reuse"])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_report_page_has_no_wcag_violations_also_with_errors(
    visitor: Page, report_pages: dict[str, str], kind: str, lang: str
) -> None:
    path = report_pages[kind] if lang == "sv" else report_pages[kind].replace("/anmal/", "/en/report/")
    assert_accessible(visitor, path)
    with visitor.expect_navigation():
        visitor.click("main form button[type=submit]")  # no reason given, and sooner than a person would

    assert visitor.locator(".error-summary").count() == 1
    assert visitor.locator("#reason[aria-invalid=true]").count() == 1
    assert_no_violations(visitor, f"on {path} with errors")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_moderation_queue_with_a_report_has_no_wcag_violations(
    editor: Page, reported: str, lang: str
) -> None:
    assert_accessible(editor, "/moderering" if lang == "sv" else "/en/moderation")
    assert editor.locator("ol.report-queue > li").count() >= 1


# --- the table pages: ids are made when the demo is loaded, so the paths are looked up ----------------

TABLE_PAGES = {
    "table-with-a-line-chart": "luftkvalitet",
    "table-with-a-bar-chart": "budgetutfall",
    "table-with-a-map": "badplatser",
}


@pytest.mark.parametrize(("slug", "lang"), _in_both_languages(TABLE_PAGES))
def test_table_page_has_no_wcag_violations(
    visitor: Page, tables: dict[str, str], slug: str, lang: str
) -> None:
    path = tables[slug] if lang == "sv" else english(tables[slug])
    assert_accessible(visitor, path)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_table_page_with_its_publishers_forms_has_no_wcag_violations(
    editor: Page, tables: dict[str, str], lang: str
) -> None:
    path = tables["badplatser"]
    assert_accessible(editor, path if lang == "sv" else english(path))
    assert editor.locator("#manage form").count() == 2


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_table_settings_form_has_no_wcag_violations(editor: Page, tables: dict[str, str], lang: str) -> None:
    path = tables["badplatser"] + "/installningar"
    editor.goto(path if lang == "sv" else english(path))
    editor.locator("details.column-settings summary").first.click()
    assert_no_violations(editor, f"on {path}")


def test_table_settings_form_with_errors_has_no_wcag_violations(editor: Page, tables: dict[str, str]) -> None:
    editor.goto(tables["badplatser"] + "/installningar")
    editor.locator("details.column-settings summary").first.click()
    editor.fill("#col-0-title_sv", "x" * 201)
    with editor.expect_navigation():
        editor.click("main form button[value=save]")

    assert editor.locator(".error-summary li").count() == 1
    assert editor.locator("#col-0-title_sv[aria-invalid=true]").count() == 1
    assert_no_violations(editor, "with errors")


def test_table_page_does_not_scroll_sideways_at_320_pixels(
    browser: Browser, server: str, tables: dict[str, str]
) -> None:
    context = browser.new_context(base_url=server, viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto(tables["badplatser"])
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    finally:
        context.close()

    assert widths[0] <= widths[1], f"the table page is {widths[0]} px wide in a {widths[1]} px window"


def test_the_map_shows_the_rows_and_lets_the_keyboard_through(visitor: Page, tables: dict[str, str]) -> None:
    visitor.goto(tables["badplatser"])
    visitor.wait_for_selector("#map path.leaflet-interactive")
    markers = visitor.locator("#map path.leaflet-interactive").count()
    visitor.focus("#map")
    for _ in range(8):
        visitor.keyboard.press("Tab")
        if not visitor.evaluate("document.getElementById('map').contains(document.activeElement)"):
            break

    assert markers == 11
    assert not visitor.evaluate("document.getElementById('map').contains(document.activeElement)")
    assert visitor.locator("#map .leaflet-control-zoom-in").get_attribute("aria-label") == "Zooma in"


def test_sorting_the_rows_swaps_the_table_and_keeps_the_focus(visitor: Page, tables: dict[str, str]) -> None:
    visitor.goto(tables["budgetutfall"])
    visitor.evaluate("window.notReloaded = true")
    visitor.focus("#sort-2")
    visitor.keyboard.press("Enter")
    visitor.wait_for_selector("th[aria-sort=ascending] #sort-2")

    assert visitor.evaluate("window.notReloaded === true")
    assert visitor.evaluate("document.activeElement.id") == "sort-2"
    assert "_sort=" in visitor.url


def test_the_progress_of_a_reading_in_is_announced_without_a_reload(
    editor: Page, portal: Portal, tables: dict[str, str]
) -> None:
    table_id = tables["bygglov"].rsplit("/", 1)[1]
    with portal.app.state.writing_sessionmaker.begin() as session:
        user = accounts.authenticate(session, EDITOR, PASSWORD)
        reingest(session, uuid.UUID(table_id), user)
    editor.goto(tables["bygglov"])
    editor.evaluate("window.live = document.getElementById('job-live')")
    queued = editor.inner_text("#job-live")

    run_pending(portal.app.state.job_context)
    editor.wait_for_selector("#job-live:has-text('version 2')", timeout=10_000)

    assert queued.startswith("Väntar")
    assert editor.evaluate("window.live === document.getElementById('job-live')")
    assert editor.get_attribute("#job-live", "aria-live") == "polite"
    assert editor.locator("#job-progress[hx-trigger]").count() == 0
    assert not axe_violations(editor)


# --- data requests and signing up: request ids are made when the demo is loaded ----------------------------

DATA_REQUESTS = {
    "received-with-a-comment": "Parkeringsplatser för rörelsehindrade",
    "planned": "Matsedlar i skolorna",
    "published": "Badplatser med koordinater",
}


@pytest.mark.parametrize(("title", "lang"), _in_both_languages(DATA_REQUESTS))
def test_data_request_page_has_no_wcag_violations(
    visitor: Page, data_requests: dict[str, str], title: str, lang: str
) -> None:
    path = data_requests[title]
    assert_accessible(visitor, path if lang == "sv" else english(path))


@pytest.mark.parametrize(("title", "lang"), _in_both_languages(DATA_REQUESTS))
def test_data_request_page_with_the_staff_forms_has_no_wcag_violations(
    editor: Page, data_requests: dict[str, str], title: str, lang: str
) -> None:
    path = data_requests[title]
    assert_accessible(editor, path if lang == "sv" else english(path))
    assert editor.locator("#answer-section form").count() == 1


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_staff_answer_form_with_errors_has_no_wcag_violations(
    editor: Page, data_requests: dict[str, str], lang: str
) -> None:
    path = data_requests["Parkeringsplatser för rörelsehindrade"]
    editor.goto(path if lang == "sv" else english(path))
    editor.select_option("#answer-state", "planned")
    editor.select_option("#answer-decline_reason", "cost")
    with editor.expect_navigation():
        editor.click("#answer-section button[type=submit]")

    assert editor.locator("#answer-section .error-summary li").count() == 2
    assert_no_violations(editor, "with errors")


@pytest.mark.parametrize(
    ("path", "button"),
    [
        ("/dataforfragningar/ny", "main form.form button[type=submit]"),
        ("/en/data-requests/new", "main form.form button[type=submit]"),
        ("/registrera", "main form.form button[type=submit]"),
        ("/en/register", "main form.form button[type=submit]"),
    ],
)
def test_request_and_sign_up_forms_with_errors_have_no_wcag_violations(
    visitor: Page, path: str, button: str
) -> None:
    visitor.goto(path)
    with visitor.expect_navigation():
        visitor.click(button)

    assert visitor.locator(".error-summary li").count() >= 2
    assert_no_violations(visitor, f"on {path} with errors")


# --- a discussion: its id is made when the demo is loaded, so its path is looked up -------------------------


@pytest.fixture(scope="module")
def discussion(portal: Portal) -> dict[str, str]:
    """The paths of the demo discussion on Badplatser that the municipality answered, by language."""
    with portal.app.state.sessionmaker.begin() as session:
        found = session.scalars(
            select(Discussion.id).where(Discussion.title == "Vilket koordinatsystem används?")
        ).one()
    return {
        "sv": f"/datamangder/badplatser/diskussioner/{found}",
        "en": f"/en/datasets/badplatser/discussions/{found}",
    }


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_discussion_has_no_wcag_violations_for_visitors_and_for_staff_with_its_forms_open(
    visitor: Page, editor: Page, discussion: dict[str, str], lang: str
) -> None:
    assert_accessible(visitor, discussion[lang])
    editor.goto(discussion[lang])
    for summary in editor.locator("details.hide-form summary").all():
        summary.click()
    # the reply form, closing, and hiding each message and the discussion
    assert editor.locator("main form").count() >= 4
    assert_no_violations(editor, f"on {discussion[lang]}")


@pytest.mark.parametrize(
    "path", ["/datamangder/evenemang/diskussioner", "/en/datasets/evenemang/discussions"]
)
def test_the_form_to_start_a_discussion_with_errors_has_no_wcag_violations(editor: Page, path: str) -> None:
    editor.goto(path)
    editor.fill("#message", "<script>alert(1)</script>")
    with editor.expect_navigation():
        editor.click("#start form button[type=submit]")

    assert editor.locator(".error-summary li").count() == 2
    assert_no_violations(editor, f"on {path} with errors")


# --- reuses: a reuse's page (public, and with staff's forms), the form with errors, and 320 px ------------


@pytest.fixture(scope="module")
def reuse_pages(portal: Portal) -> dict[str, tuple[str, str]]:
    """The Swedish and English paths of each demo reuse's page, by its title."""
    with portal.app.state.sessionmaker.begin() as session:
        found = session.execute(select(Reuse.title, Reuse.id)).all()
    return {title: (f"/tillampningar/{rid}", f"/en/reuses/{rid}") for title, rid in found}


@pytest.mark.parametrize("lang", [0, 1], ids=["sv", "en"])
def test_an_approved_reuse_page_has_no_wcag_violations(
    visitor: Page, reuse_pages: dict[str, tuple[str, str]], lang: int
) -> None:
    assert_accessible(visitor, reuse_pages["Badkollen"][lang])


@pytest.mark.parametrize("lang", [0, 1], ids=["sv", "en"])
def test_a_waiting_reuse_page_with_staffs_forms_and_errors_has_no_wcag_violations(
    editor: Page, reuse_pages: dict[str, tuple[str, str]], lang: int
) -> None:
    path = reuse_pages["Helgtips från Sjöviks-Posten"][lang]
    assert_accessible(editor, path)
    with editor.expect_navigation():
        editor.click("#decide-section form.form button[type=submit]")  # rejected without a reason

    assert editor.locator("#decide-reject_reason[aria-invalid=true]").count() == 1
    assert_no_violations(editor, f"on {path} with errors")


@pytest.mark.parametrize("path", ["/tillampningar/ny", "/en/reuses/new"])
def test_the_reuse_form_with_errors_has_no_wcag_violations(editor: Page, path: str) -> None:
    editor.goto(path)
    editor.fill("#url", "javascript:alert(1)")
    with editor.expect_navigation():
        editor.click("main form.form button[type=submit]")

    assert editor.locator(".error-summary li").count() >= 3
    assert_no_violations(editor, f"on {path} with errors")


# --- harvesting: an administrator's pages, with a source that has been run ------------------------------

ADMIN = "it-tillganglighet@sjovik.example"


@pytest.fixture(scope="module")
def admin(browser: Browser, portal: Portal) -> Iterator[Page]:
    """A browser tab of an administrator, logged in through the login form."""
    with portal.app.state.sessionmaker.begin() as session:
        accounts.create_user(
            session, email=ADMIN, password=PASSWORD, role="admin", organization_slug=None, by=None
        )
    context = browser.new_context(base_url=portal.url)
    page = context.new_page()
    page.goto("/logga-in")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    yield page
    context.close()


@pytest.fixture(scope="module")
def harvest_pages(portal: Portal) -> dict[str, tuple[str, str]]:
    """The Swedish and English paths of a harvest source's page, of its run's report (a recorded DCAT catalog
    served on loopback: four datasets created, one record failed) and of a harvested dataset."""
    sessions = portal.app.state.writing_sessionmaker
    with serving() as site:
        with sessions.begin() as session:
            by = accounts.system_user(session)
            data = HarvestSourceIn(
                title="Vallby kommun",
                url=serve_dcat(site),
                kind="dcat",
                organization="sjovik",
                interval_hours=0,
            )
            source_id = create_source(session, data, by).id
            run_id = queue_run(session, source_id, by).id
        run_harvest(sessions, portal.app.state.settings, run_id, address_allowed=loopback_only)
    with sessions.begin() as session:
        slug = session.scalars(
            select(Dataset.slug)
            .join(HarvestRecord, HarvestRecord.dataset_id == Dataset.id)
            .where(HarvestRecord.source_id == source_id)
        ).first()
    return {
        "source": (f"/skordning/{source_id}", f"/en/harvesting/{source_id}"),
        "run-report": (
            f"/skordning/{source_id}/korningar/{run_id}",
            f"/en/harvesting/{source_id}/runs/{run_id}",
        ),
        "harvested-dataset": (f"/datamangder/{slug}", f"/en/datasets/{slug}"),
    }


HARVESTING = {
    "harvest-sources": ("/skordning", "/en/harvesting"),
    "new-harvest-source": ("/skordning/ny", "/en/harvesting/new"),
}


@pytest.mark.parametrize("path", _each(HARVESTING))
def test_the_harvesting_pages_have_no_wcag_violations(
    admin: Page, harvest_pages: dict[str, tuple[str, str]], path: str
) -> None:
    assert_accessible(admin, path)


@pytest.mark.parametrize("name", ["source", "run-report", "harvested-dataset"])
@pytest.mark.parametrize("lang", [0, 1], ids=["sv", "en"])
def test_a_harvest_source_its_report_and_a_harvested_dataset_have_no_wcag_violations(
    admin: Page, harvest_pages: dict[str, tuple[str, str]], name: str, lang: int
) -> None:
    assert_accessible(admin, harvest_pages[name][lang])


@pytest.mark.parametrize("path", ["/skordning/ny", "/en/harvesting/new"])
def test_the_harvest_source_form_with_errors_has_no_wcag_violations(admin: Page, path: str) -> None:
    admin.goto(path)
    admin.fill("#source_url", "ftp://data.vallby.example/katalog.ttl")
    with admin.expect_navigation():
        admin.click("main form.form button[type=submit]")

    assert admin.locator(".error-summary li").count() >= 2
    assert_no_violations(admin, f"on {path} with errors")


@pytest.mark.parametrize("lang", [0, 1], ids=["sv", "en"])
def test_the_delete_confirmation_of_a_harvest_source_has_no_wcag_violations(
    admin: Page, harvest_pages: dict[str, tuple[str, str]], lang: int
) -> None:
    path = harvest_pages["source"][lang]
    admin.goto(path)
    with admin.expect_navigation():
        admin.click("#delete-section button[type=submit]")

    assert admin.locator("#confirm-delete").count() == 1
    assert_no_violations(admin, f"on {path} asking to delete")
