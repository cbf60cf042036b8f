"""The web pages in a real browser (Debian's chromium through Playwright) against the real
app served over a demo register: what an investigator, an officer, a viewer and an auditor
do, with axe-core's accessibility check and a screenshot on every page."""

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.web.browsing import Tab, open_tab, signed_in
from tests.web.demo import DemoRegister, patterned_photo
from visor.demo import witness_description


def _tab(browser: Browser, server: str, demo: DemoRegister, username: str) -> Tab:
    return signed_in(browser, server, username, demo.passwords[username])


def _references(tab: Tab) -> list[str]:
    return tab.page.locator("article.candidate a.reference").all_inner_texts()


def test_sign_in_page_and_a_refused_sign_in(browser: Browser, server: str) -> None:
    tab = open_tab(browser, server)
    tab.go("/search")
    expect(tab.page).to_have_url(re.compile(r"/sign-in"))
    tab.check("sign-in")
    tab.page.get_by_label("Username").fill("mps.officer")
    tab.page.get_by_label("Password").fill("not the password")
    tab.page.get_by_role("button", name="Sign in").click()
    expect(tab.page.get_by_role("alert")).to_contain_text("locked")
    tab.check("sign-in-refused")


def test_describe_a_person_and_find_them_with_the_explanation(
    browser: Browser, server: str, demo: DemoRegister
) -> None:
    wanted = demo.with_marked_face("GMP")[0]
    tab = _tab(browser, server, demo, "gmp.officer")
    tab.check("search")
    tab.page.get_by_label("Description, in the witness's words").fill(witness_description(wanted))
    tab.page.locator("#describe").get_by_role("button", name="Search").click()
    expect(tab.page.locator("article.candidate").first).to_be_visible()
    assert wanted["reference"] in _references(tab)[:3]
    rank = _references(tab).index(wanted["reference"]) + 1
    candidate = tab.page.locator(f"#candidate-{rank}")
    expect(candidate.locator("table")).to_contain_text("mark")
    expect(candidate.locator("svg.waterfall")).to_be_visible()
    expect(candidate.locator("svg.body-outline ellipse.mark.matched").first).to_be_attached()
    expect(candidate).to_contain_text("bits")
    expect(tab.page.locator(".meaning").first).to_contain_text("bits of evidence")
    expect(tab.page.locator("#candidate-2 details.gaps summary")).to_contain_text("not higher")
    tab.check("results")

    # Keyboard: j moves through the list, Enter opens the focused candidate's record.
    tab.page.locator("h1").click()
    tab.page.keyboard.press("j")
    expect(tab.page.locator("#candidate-1")).to_be_focused()
    tab.page.keyboard.press("j")
    expect(tab.page.locator("#candidate-2")).to_be_focused()
    second = _references(tab)[1]
    tab.page.keyboard.press("Enter")
    expect(tab.page).to_have_url(re.compile(f"/nominals/{second}"))

    tab.page.go_back()
    tab.page.get_by_role("link", name=re.compile("Candidate pack")).click()
    expect(tab.page.get_by_role("heading", name="Candidate pack")).to_be_visible()
    expect(tab.page.locator(".pack-meta")).to_contain_text("gmp.officer")
    tab.check("candidate-pack")


def test_correct_a_misunderstood_field_and_run_again(
    browser: Browser, server: str, demo: DemoRegister
) -> None:
    wanted = demo.with_marked_face("GMP")[1]
    tab = _tab(browser, server, demo, "gmp.officer")
    # The witness has the build wrong, and says a word the engine does not know.
    wrong = "slim" if wanted.get("build") != "slim" else "heavy"
    mark = wanted["marks"][0]
    text = (
        f"{ {'M': 'man', 'F': 'woman'}.get(wanted['sex'], 'person') }, {wrong} build, "
        f"{mark.get('description', '')} {mark['type']} on {mark['location']}, wearing a "
        "frobnicated hat"
    )
    tab.page.get_by_label("Description, in the witness's words").fill(text)
    tab.page.locator("#describe").get_by_role("button", name="Search").click()
    build = tab.page.get_by_label("Build", exact=True)
    expect(build).to_have_value(wrong)
    expect(tab.page.locator(".not-understood, .understood").first).to_be_visible()
    tab.check("understood")
    build.fill(wanted["build"])
    tab.page.get_by_role("button", name="Re-run with these fields").click()
    expect(tab.page.get_by_label("Build", exact=True)).to_have_value(wanted["build"])
    first = tab.page.locator("#candidate-1 table")
    expect(first).to_contain_text(wanted["build"])
    assert wanted["reference"] in _references(tab)[:5]
    tab.check("rerun")


def test_open_the_record_edit_it_and_meet_a_concurrent_edit(
    browser: Browser, server: str, demo: DemoRegister
) -> None:
    wanted = demo.with_marked_face("GMP")[2]
    reference = wanted["reference"]
    officer = _tab(browser, server, demo, "gmp.officer")
    officer.go(f"/nominals/{reference}")
    expect(officer.page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(officer.page.locator(".gallery img").first).to_be_visible()
    expect(officer.page.locator("#addresses, #addresses-heading").first).to_be_attached()
    officer.check("record")
    officer.page.get_by_role("link", name="Edit this record").click()
    officer.check("edit")

    # Meanwhile a supervisor of the same agency saves a change first.
    supervisor = _tab(browser, server, demo, "gmp.supervisor")
    supervisor.go(f"/nominals/{reference}/edit")
    supervisor.page.get_by_label("accent").fill("Scouse")
    supervisor.page.get_by_role("button", name="Save").click()
    expect(supervisor.page.get_by_role("status")).to_contain_text("Saved")

    officer.page.get_by_label("build").fill("muscular")
    officer.page.get_by_role("button", name="Save").click()
    stale = officer.page.locator("#stale")
    expect(stale).to_contain_text("someone else changed this record first")
    expect(stale.locator("table")).to_contain_text("muscular")
    expect(stale.locator("table")).to_contain_text("Scouse")
    officer.check("edit-stale")
    # Saved again on the current version, the change goes in.
    officer.page.get_by_label("build").fill("muscular")
    officer.page.get_by_role("button", name="Save").click()
    expect(officer.page.get_by_role("status")).to_contain_text("Saved")
    expect(officer.page.locator(".detail")).to_contain_text("muscular")

    # A field the record model refuses is named beside the field, and nothing is saved.
    officer.page.get_by_role("link", name="Edit this record").click()
    officer.page.get_by_label("height cm").fill("tall")
    officer.page.get_by_role("button", name="Save").click()
    expect(officer.page.locator("#e-height_cm-problem")).to_contain_text("integer")
    officer.check("edit-invalid")


def test_upload_a_photo_and_find_its_nominal(
    browser: Browser, server: str, demo: DemoRegister, tmp_path: Path
) -> None:
    wanted = demo.without_marks("GMP")[0]
    photo = tmp_path / "new-photo.jpg"
    photo.write_bytes(patterned_photo())
    tab = _tab(browser, server, demo, "gmp.officer")
    tab.go(f"/nominals/{wanted['reference']}")
    tab.page.get_by_label("Add a photo").set_input_files(str(photo))
    tab.page.get_by_label("Kind of photo").select_option("other")
    tab.page.get_by_label("Taken on (YYYY-MM-DD)").fill("2026-01-02")
    tab.page.get_by_role("button", name="Add photo").click()
    verdict = tab.page.locator("#photo-verdict")
    expect(verdict).to_contain_text("Quality verdict")
    tab.check("photo-added")

    tab.go("/search")
    tab.page.get_by_label(re.compile("Search by photo")).set_input_files(str(photo))
    tab.page.get_by_role("button", name="Search by photo", exact=True).click()
    results = tab.page.locator(".photo-results")
    expect(results).to_contain_text(wanted["reference"])
    expect(results).to_contain_text("distance 0 bits")
    tab.check("photo-results")


def test_a_viewer_sees_no_edit_controls_and_no_restricted_fields(
    browser: Browser, server: str, demo: DemoRegister
) -> None:
    wanted = next(d for d in demo.live("GMP") if d.get("addresses"))
    tab = _tab(browser, server, demo, "mps.viewer")
    tab.go(f"/nominals/{wanted['reference']}")
    expect(tab.page.get_by_role("heading", level=1)).to_contain_text(wanted["reference"])
    expect(tab.page.get_by_role("link", name="Edit this record")).to_have_count(0)
    expect(tab.page.get_by_role("link", name="New nominal")).to_have_count(0)
    expect(tab.page.locator("#addresses-heading")).to_have_count(0)
    expect(tab.page.locator("main")).to_contain_text("Not shown to your roles: addresses")
    for address in wanted["addresses"]:
        if address.get("postcode"):
            expect(tab.page.locator("main")).not_to_contain_text(address["postcode"])
    expect(tab.page.locator("#add-activity, #add-document, #add-photo")).to_have_count(0)
    expect(tab.page.locator("main")).to_contain_text("Documents are not shown to your roles")
    expect(tab.page.locator("main")).to_contain_text("Intelligence entries are not shown")
    tab.check("record-viewer")


def test_an_officer_of_an_unrelated_agency_cannot_edit(
    browser: Browser, server: str, demo: DemoRegister
) -> None:
    wanted = next(d for d in demo.live("GMP") if "MPS" not in d.get("partner_agencies", []))
    tab = _tab(browser, server, demo, "mps.officer")
    tab.go(f"/nominals/{wanted['reference']}")
    expect(tab.page.get_by_role("link", name="Edit this record")).to_have_count(0)
    expect(tab.page.locator("#add-activity, #add-document, #add-photo")).to_have_count(0)
    tab.go(f"/nominals/{wanted['reference']}/edit")
    expect(tab.page.get_by_role("alert")).to_contain_text("only its managing agency")
    tab.check("edit-refused")


def test_the_audit_dashboards_and_log_show_what_was_just_done(
    browser: Browser, server: str, demo: DemoRegister
) -> None:
    auditor = _tab(browser, server, demo, "mps.auditor")
    auditor.go("/audits/photos")
    expect(auditor.page.get_by_role("heading", name="Photo-quality audit")).to_be_visible()
    auditor.check("audit-photos")
    auditor.go("/audits/compliance?agency=MPS")
    overdue = auditor.page.locator("#work-list tr", has_text="review_overdue").first
    reference = overdue.locator("a").inner_text()
    auditor.check("audit-compliance")

    # An officer records today's review of that nominal...
    officer = _tab(browser, server, demo, "mps.officer")
    officer.go(f"/nominals/{reference}/edit")
    officer.page.get_by_label("last reviewed").fill(dt.date.today().isoformat())
    officer.page.get_by_label("Reason for the change").fill("MAPPA review held")
    officer.page.get_by_role("button", name="Save").click()
    expect(officer.page.get_by_role("status")).to_contain_text("Saved")

    # ...and the dashboard no longer lists it as overdue, and the log shows who did it.
    auditor.go("/audits/compliance?agency=MPS")
    listed = auditor.page.locator("#work-list tr", has_text=reference)
    expect(listed.filter(has_text="review_overdue")).to_have_count(0)
    auditor.go(f"/audit-log?reference={reference}")
    update = auditor.page.locator("#log tr", has_text="nominal.update").first
    expect(update).to_contain_text("mps.officer")
    auditor.check("audit-log")
    # The export is a disclosure: it names who receives it, and the log then shows it.
    auditor.page.get_by_label("Disclosed to (required)").fill("ICO inspection")
    auditor.page.get_by_label("Purpose").fill("annual audit")
    with auditor.page.expect_download() as download:
        auditor.page.get_by_role("button", name="Export").click()
    assert "nominal.update" in download.value.path().read_text("utf-8")
    auditor.go(f"/audit-log?reference={reference}")
    disclosure = auditor.page.locator("#log tr", has_text="audit.export").first
    expect(disclosure).to_contain_text("ICO inspection")
    expect(disclosure).to_contain_text("annual audit")


def test_partnerships_and_administration_pages(
    browser: Browser, server: str, demo: DemoRegister
) -> None:
    supervisor = _tab(browser, server, demo, "mps.supervisor")
    supervisor.go("/partnerships")
    expect(supervisor.page.get_by_role("heading", name="Requests in")).to_be_visible()
    expect(supervisor.page.locator("main")).to_contain_text("GMP")
    supervisor.check("partnerships")
    admin = _tab(browser, server, demo, "mps.admin")
    admin.go("/admin")
    expect(admin.page.locator("#users")).to_contain_text("mps.viewer")
    expect(admin.page.locator("#users")).not_to_contain_text("gmp.officer")
    admin.check("admin")
    officer = _tab(browser, server, demo, "mps.officer")
    officer.page.get_by_role("link", name="New nominal").click()
    officer.page.get_by_label("Reference").fill("WEB0000001")
    officer.page.get_by_label("Surname").fill("Example")
    officer.page.get_by_label("Sex (M, F or U)").fill("Q")
    officer.page.get_by_role("button", name="Create").click()
    expect(officer.page.locator("#n-sex-problem")).to_be_visible()
    officer.check("new-nominal-invalid")
    officer.page.get_by_label("Sex (M, F or U)").fill("M")
    officer.page.get_by_role("button", name="Create").click()
    expect(officer.page.get_by_role("heading", level=1)).to_contain_text("WEB0000001")


def test_forms_still_post_when_every_answer_says_no_referrer(
    browser: Browser, no_referrer_server: str, demo: DemoRegister
) -> None:
    """Under `Referrer-Policy: no-referrer` chromium sends `Origin: null` with a form post,
    which the CSRF rule refuses; the pages' own referrer policy keeps their origin."""
    reference = demo.live("GMP")[3]["reference"]
    tab = _tab(browser, no_referrer_server, demo, "gmp.officer")
    tab.go(f"/nominals/{reference}/edit")
    tab.page.get_by_label("hair length").fill("short")
    tab.page.get_by_role("button", name="Save").click()
    expect(tab.page.get_by_role("status")).to_contain_text("Saved")


def test_add_to_the_activity_log_and_attach_and_download_a_document(
    browser: Browser, server: str, demo: DemoRegister, tmp_path: Path
) -> None:
    reference = demo.live("GMP")[3]["reference"]
    tab = _tab(browser, server, demo, "gmp.officer")
    tab.go(f"/nominals/{reference}")
    form = tab.page.locator("#add-activity")
    form.get_by_label("Kind of entry").select_option("visit")
    form.get_by_label("Date (YYYY-MM-DD)").fill("2026-01-07")
    form.get_by_label("What happened").fill("Home visit: lives alone, new job at a garage")
    form.get_by_role("button", name="Add entry").click()
    expect(tab.page.locator("#activity-added")).to_be_visible()
    expect(tab.page.locator("#activity")).to_contain_text("new job at a garage")
    expect(tab.page.locator("#activity")).to_contain_text("gmp.officer (GMP)")

    plan = tmp_path / "plan.txt"
    plan.write_text("Risk management plan: weekly visits.\n", encoding="utf-8")
    form = tab.page.locator("#add-document")
    form.get_by_label("Document (PDF, DOCX or text").set_input_files(str(plan))
    form.get_by_label("Kind of document").select_option("risk_management_plan")
    form.get_by_label("Title").fill("Risk management plan, January")
    form.get_by_label("Author").fill("Offender manager")
    form.get_by_role("button", name="Attach document").click()
    expect(tab.page.locator("#document-added")).to_be_visible()
    row = tab.page.locator("#documents tr", has_text="Risk management plan, January")
    expect(row).to_contain_text("text")
    tab.check("record-activity-documents")
    with tab.page.expect_download() as download:
        row.get_by_role("link", name=re.compile("Download")).click()
    assert download.value.path().read_bytes() == plan.read_bytes()

    # A file that is not a document is refused with the reason, and nothing is attached.
    program = tmp_path / "plan.pdf"
    program.write_bytes(b"MZ\x90\x00 not a document")
    tab.go(f"/nominals/{reference}")
    form = tab.page.locator("#add-document")
    form.get_by_label("Document (PDF, DOCX or text").set_input_files(str(program))
    form.get_by_label("Title").fill("Not a plan")
    form.get_by_label("Author").fill("Someone")
    form.get_by_role("button", name="Attach document").click()
    expect(tab.page.get_by_role("alert")).to_contain_text("Windows executable")
    tab.check("document-refused")
    tab.go(f"/nominals/{reference}")
    expect(tab.page.locator("#documents tbody tr")).to_have_count(1)


def test_the_mappa_level_filter_keeps_only_that_level(
    browser: Browser, server: str, demo: DemoRegister
) -> None:
    levels = {d["reference"]: d.get("mappa_level") for d in demo.documents}
    tab = _tab(browser, server, demo, "gmp.officer")
    tab.page.get_by_label("Description, in the witness's words").fill("a man in his thirties")
    level = tab.page.get_by_role("group", name="MAPPA level")
    level.get_by_label("3").check()
    tab.page.locator("#describe").get_by_role("button", name="Search").click()
    expect(tab.page.locator("article.candidate").first).to_be_visible()
    expect(tab.page.get_by_role("group", name="MAPPA level").get_by_label("3")).to_be_checked()
    found = _references(tab)
    assert found and {levels[r] for r in found} == {3}
    tab.check("results-mappa-level")


def test_with_a_required_purpose_the_record_asks_first_and_its_photos_carry_it(
    browser: Browser, purposeful_server: str, demo: DemoRegister
) -> None:
    wanted = demo.with_marked_face("YH-PROB")[1]
    tab = _tab(browser, purposeful_server, demo, "gmp.officer")
    tab.go(f"/nominals/{wanted['reference']}")
    expect(tab.page.get_by_role("heading", name="Why are you looking?")).to_be_visible()
    tab.check("purpose-prompt")
    tab.page.get_by_label("Purpose").fill("case 77")
    tab.page.get_by_role("button", name="Continue").click()
    expect(tab.page.get_by_role("heading", level=1)).to_contain_text(wanted["reference"])
    # Every thumbnail loads: each is a view of the photo, made with the page's purpose.
    expect(tab.page.locator(".gallery img").first).to_be_visible()
    tab.check("record-with-purpose")
    tab.go("/search")
    tab.page.get_by_label("Description, in the witness's words").fill(witness_description(wanted))
    tab.page.get_by_label(re.compile("^Purpose")).fill("case 77")
    tab.page.locator("#describe").get_by_role("button", name="Search").click()
    expect(tab.page.locator("article.candidate img.thumb").first).to_be_visible()
    tab.check("results-with-purpose")


def test_an_auditor_who_may_read_sees_who_viewed_the_record(
    browser: Browser, server: str, demo: DemoRegister
) -> None:
    reference = demo.live("GMP")[2]["reference"]
    officer = _tab(browser, server, demo, "gmp.officer")
    officer.go(f"/nominals/{reference}")
    admin = _tab(browser, server, demo, "mps.admin")
    admin.go("/admin")
    admin.page.get_by_label("Username").fill("mps.reviewer")
    admin.page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    roles = admin.page.get_by_role("group", name="Roles")
    roles.get_by_label("auditor").check()
    roles.get_by_label("viewer").check()
    admin.page.get_by_role("button", name="Add user").click()
    expect(admin.page.locator("#users")).to_contain_text("mps.reviewer")
    reviewer = signed_in(browser, server, "mps.reviewer", "a long enough passphrase")
    reviewer.go(f"/nominals/{reference}")
    expect(reviewer.page.locator("#viewers")).to_contain_text("gmp.officer")
    reviewer.check("record-auditor")
