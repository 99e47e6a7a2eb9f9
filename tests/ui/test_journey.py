"""One customer's whole visit across the five screens, each in its own page of real Chromium
against one real server: kiosk (in Turkish) → call display + announcement → teller console →
the customer's phone page → feedback → the manager's figures."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlmodel import select

from server.models import Event, Ticket
from tests.ui.test_manager import sign_in as manager_sign_in
from tests.ui.test_teller import TIMEOUT, Staff, open_console, wait_for


def test_a_visit_from_kiosk_to_feedback(site: Any, browser: Any) -> None:
    api = Staff(site)
    kiosk_ctx = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
    display_ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    try:
        # The call display is on before anyone arrives; it records which sounds it asks for.
        display = display_ctx.new_page()
        sounds: list[str] = []
        display.on(
            "request",
            lambda r: sounds.append(r.url) if "/api/v1/announcements/" in r.url else None,
        )
        display.goto(site.page_url("display"))
        expect(display.get_by_test_id("offline-marker")).to_be_hidden(timeout=TIMEOUT)

        manager = staff_ctx.new_page()
        manager_sign_in(manager, site)
        expect(manager.get_by_test_id("served-today")).to_have_text("0", timeout=TIMEOUT)

        teller = staff_ctx.new_page()
        open_console(teller, site)

        # 1. The customer takes a ticket at the kiosk, in Turkish.
        kiosk = kiosk_ctx.new_page()
        kiosk.goto(site.page_url("kiosk") + "&idle=600&back=600")
        kiosk.get_by_test_id("lang-tr").tap()
        kiosk.get_by_test_id("service-A").tap()
        code_box = kiosk.get_by_test_id("ticket-code")
        expect(code_box).to_have_text("A001", timeout=TIMEOUT)
        expect(kiosk.get_by_test_id("print-result")).to_be_attached()
        with site.db.unit_of_work(write=False) as session:
            ticket = session.exec(select(Ticket).where(Ticket.code == "A001")).one()
            ticket_id, token, lang = ticket.id, ticket.token, ticket.lang
        assert lang == "tr"
        expect(manager.get_by_test_id("waiting-A")).to_have_text("1", timeout=TIMEOUT)

        # 2. The customer follows the queue on their phone.
        phone = phone_ctx.new_page()
        phone.goto(f"{site.url}/t/{token}#poll=1")
        expect(phone.get_by_test_id("code")).to_have_text("A001", timeout=TIMEOUT)
        expect(phone.get_by_test_id("your-turn")).to_be_hidden()

        # 3. The teller calls: the display shows it and announces it; the phone says go.
        teller.get_by_test_id("call-next").click()
        expect(teller.get_by_test_id("current-code")).to_have_text("A001", timeout=TIMEOUT)
        expect(display.get_by_test_id("latest-code")).to_have_text("A001", timeout=TIMEOUT)
        expect(display.get_by_test_id("latest-counter")).to_have_text("1")
        assert wait_for(lambda: any("chime.wav" in url for url in sounds)), sounds
        expect(phone.get_by_test_id("your-turn")).to_be_visible(timeout=TIMEOUT)

        # 4. Served and finished at the counter.
        teller.get_by_test_id("serve").click()
        expect(teller.get_by_test_id("current-status")).to_have_text(
            "Being served", timeout=TIMEOUT
        )
        teller.get_by_test_id("finish").click()
        expect(teller.get_by_test_id("current-empty")).to_be_visible(timeout=TIMEOUT)
        assert api.ticket(ticket_id)["status"] == "done"

        # 5. Feedback from the phone closes the loop.
        expect(phone.get_by_test_id("feedback-score-5")).to_be_visible(timeout=TIMEOUT)
        phone.get_by_test_id("feedback-score-5").tap()
        phone.get_by_test_id("feedback-comment").fill("Çok hızlıydı, teşekkürler")
        phone.get_by_test_id("feedback-submit").tap()
        expect(phone.get_by_test_id("feedback-thanks")).to_be_visible(timeout=TIMEOUT)

        def feedback() -> list[Event]:
            with site.db.unit_of_work(write=False) as session:
                return list(
                    session.exec(
                        select(Event).where(
                            Event.ticket_id == ticket_id, Event.type == "ticket.feedback"
                        )
                    )
                )

        events = wait_for(feedback)
        assert len(events) == 1
        assert events[0].data["score"] == 5

        # 6. The manager's dashboard counted the visit, live.
        expect(manager.get_by_test_id("served-today")).to_have_text("1", timeout=TIMEOUT)
        expect(manager.get_by_test_id("waiting-A")).to_have_text("0")
        expect(manager.get_by_test_id("within-standard")).to_have_text("100.0%")
    finally:
        for ctx in (kiosk_ctx, display_ctx, staff_ctx, phone_ctx):
            ctx.close()
