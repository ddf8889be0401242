"""Ask Giliran in real Chromium on a phone: the panel opens from a citizen page, a
question gets its answer without a page load, the keyboard focus stays in the input; and
the chat page works with JavaScript off (POST-redirect-GET). Every state passes axe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from assistant.models import Author, Conversation, Handoff, Turn
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "jam buka kanim jakarta pusat"


def assistant_turns(page: Page) -> Any:
    return page.locator("#chat-log li.chat-assistant")


def test_the_panel_answers_a_question_on_a_citizen_page(
    live_server: Any, demo_country: None, new_phone_page: Callable[..., Page]
) -> None:
    page = new_phone_page()
    page.goto(f"{live_server.url}/layanan/")
    launcher = page.get_by_test_id("chat-open")
    expect(launcher).to_have_text("Tanya Giliran")
    launcher.click()

    field = page.get_by_label("Pertanyaan Anda")
    expect(field).to_be_focused()
    expect(page).to_have_url(f"{live_server.url}/layanan/")  # a panel, not a new page
    assert_accessible(page)
    greeting = assistant_turns(page).count()
    field.fill(QUESTION)
    field.press("Enter")

    expect(page.locator("#chat-log li.chat-citizen")).to_have_text(f"Anda {QUESTION}")
    expect(assistant_turns(page)).to_have_count(greeting + 1)
    conversation = Conversation.objects.get()
    reply = conversation.turns.get(author=Author.ASSISTANT)
    expect(assistant_turns(page).last).to_contain_text(reply.text.splitlines()[0])
    expect(field).to_have_value("")
    expect(field).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    # A suggestion button sends its text; the panel closes back to its launcher.
    page.locator("#chat-suggestions button").first.click()
    expect(page.locator("#chat-log li.chat-citizen")).to_have_count(2)
    page.get_by_role("button", name="Tutup obrolan").click()
    expect(page.locator("#chat-log")).to_have_count(0)
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")

    # Reopened, the panel shows the conversation kept in the session.
    launcher.click()
    expect(page.locator("#chat-log li.chat-citizen")).to_have_count(2)


def test_a_staff_reply_appears_while_the_panel_is_open(
    live_server: Any, demo_country: None, new_phone_page: Callable[..., Page]
) -> None:
    page = new_phone_page()
    page.goto(f"{live_server.url}/en/")
    page.get_by_test_id("chat-open").click()
    field = page.get_by_label("Your question")
    field.fill("halo")
    field.press("Enter")
    expect(page.locator("#chat-log li.chat-citizen")).to_have_count(1)
    conversation = Conversation.objects.get()
    conversation.handoff = Handoff.WITH_STAFF
    conversation.save(update_fields=["handoff"])
    page.get_by_role("button", name="Close the chat").click()
    page.get_by_test_id("chat-open").click()  # reopened: now polling
    expect(page.locator("#chat-poll")).to_have_attribute("hx-trigger", "every 5s")

    Turn.objects.create(
        conversation=conversation,
        author=Author.STAFF,
        text="Good afternoon, this is Budi at the information desk.",
        created_at=conversation.last_message_at,
    )

    expect(page.locator("#chat-log li.chat-staff")).to_contain_text(
        "Good afternoon, this is Budi", timeout=12_000
    )
    expect(page.locator("#chat-log li.chat-staff")).to_have_count(1)


def test_the_chat_page_works_without_javascript(
    live_server: Any, demo_country: None, new_phone_page: Callable[..., Page]
) -> None:
    page = new_phone_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/layanan/")
    page.get_by_test_id("chat-open").click()  # a plain link without JavaScript
    expect(page).to_have_url(f"{live_server.url}/tanya/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tanya Giliran")

    page.get_by_label("Pertanyaan Anda").fill(QUESTION)
    page.get_by_role("button", name="Kirim", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/tanya/#chat-log")  # redirected after POST
    expect(page.locator("#chat-log li.chat-citizen")).to_have_text(f"Anda {QUESTION}")
    reply = Conversation.objects.get().turns.get(author=Author.ASSISTANT)
    expect(assistant_turns(page).last).to_contain_text(reply.text.splitlines()[0])
    page.reload()  # a reload shows the page again; it does not send the message twice
    expect(page.locator("#chat-log li.chat-citizen")).to_have_count(1)
    page.locator("#chat-suggestions button").first.click()
    expect(page.locator("#chat-log li.chat-citizen")).to_have_count(2)


def test_the_chat_page_passes_axe_in_both_languages(
    live_server: Any, demo_country: None, new_phone_page: Callable[..., Page]
) -> None:
    page = new_phone_page()
    for prefix, label in (("", "Pertanyaan Anda"), ("/en", "Your question")):
        page.goto(f"{live_server.url}{prefix}/tanya/")
        assert_accessible(page)
        field = page.get_by_label(label)
        field.fill("a" * 10)
        field.press("Enter")
        expect(page.locator("#chat-log li.chat-citizen").last).to_contain_text("aaaaaaaaaa")
        assert_accessible(page)
