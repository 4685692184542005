"""Mails to requesters against a real SMTP server on 127.0.0.1 (aiosmtpd), and the outbox without one.

The service sends the automatic confirmation when a request is stored and the
staff's replies; every mail is kept in the request's history.  The SMTP server is
started by the tests (``tests/mail_server.py``); nothing is mocked.
"""

from __future__ import annotations

import email
import email.policy
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from conftest import free_port
from mail_server import MailServer, body_of, running_smtp

from assistant.db import Database
from assistant.errors import MailError, TriageError
from assistant.mail import DECLINE_TEXTS, ReplyKind, SmtpTransport, reply_draft, transport_from_settings
from assistant.settings import Settings, load_settings
from assistant.triage import DECLINE_REASONS, TriageStore
from assistant.triage.service import NewRequest, TriageService
from assistant.web.auth import add_account
from assistant.web.staff import StaffHandlers, build_staff_blocks

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
QUESTION = "Wanneer moeten we ons beleidsplan indienen?\nEn mag dat digitaal?"


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    staff_file = tmp_path / "staff.txt"
    add_account(staff_file, "anna", "een-lang-wachtwoord-42")
    yield Settings().replace(
        database_url=f"sqlite:///{tmp_path / 'vraagbaak.db'}",
        staff_file=staff_file,
        outbox_dir=tmp_path / "outbox",
        reply_days=5,
    )


def triage_of(settings: Settings) -> TriageStore:
    """The triage store of ``settings`` (its own Database, as the service has its own)."""
    return TriageStore.from_settings(settings, Database.from_settings(settings))


@pytest.fixture
def smtp() -> Iterator[MailServer]:
    with running_smtp(free_port()) as server:
        yield server


def _submit(service: TriageService, **extra: Any) -> Any:
    values: dict[str, Any] = {
        "question": QUESTION,
        "requester_name": "An Peeters",
        "email": "an.peeters@example.org",
        "org_type": "erkend",
        "consent": True,
        "organisation": "Vormingplus Testregio",
    }
    values.update(extra)
    return service.submit_request(NewRequest(**values))


def _smtp_settings(settings: Settings, server: MailServer, **extra: Any) -> Settings:
    return settings.replace(smtp_host="127.0.0.1", smtp_port=server.port, smtp_tls="none", **extra)


def test_confirmation_and_reply_reach_the_smtp_server_and_the_history(settings: Settings, smtp: MailServer) -> None:
    service = TriageService.from_settings(_smtp_settings(settings, smtp))
    submitted = _submit(service)
    ref = submitted.request.reference
    assert submitted.confirmation is not None and submitted.confirmation.via == "smtp"

    [confirmation] = smtp.wait_for(1)
    assert confirmation["To"] == "an.peeters@example.org"
    assert ref in confirmation["Subject"] and confirmation["X-Vraagbaak-Referentie"] == ref
    body = body_of(confirmation)
    assert "Beste An Peeters" in body and f"Je referentienummer is {ref}" in body
    assert "> Wanneer moeten we ons beleidsplan indienen?\n> En mag dat digitaal?" in body
    assert "5 werkdagen" in body and "uiterlijk op " in body

    triage_of(settings).change_status(ref, "doorverwezen", by="anna", referred_to="Vormingplus Gent")
    draft = service.reply_draft(ref, "doorverwezen", staff="anna")
    assert "Vormingplus Gent" in draft.body and "> Wanneer moeten we" in draft.body
    record = service.send_reply(ref, draft.subject, draft.body + "\nGroetjes!", by="anna")
    assert record.via == "smtp" and record.by == "anna"
    reply = smtp.wait_for(2)[1]
    assert reply["X-Vraagbaak-Referentie"] == ref and ref in reply["Subject"]
    assert "Vormingplus Gent" in body_of(reply) and "Groetjes!" in body_of(reply)

    history = service.mails(ref)
    assert [(m.kind, m.by, m.via) for m in history] == [
        ("bevestiging", "vraagbaak", "smtp"),
        ("antwoord", "anna", "smtp"),
    ]
    assert history[1].body.endswith("Groetjes!")


def test_smtp_login_uses_the_password_variable_named_in_the_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_smtp(free_port(), users={"vraagbaak": "smtp-geheim-42"}) as server:
        monkeypatch.setenv("VB_TEST_SMTP_PASSWORD", "smtp-geheim-42")
        configured = load_settings(
            env={
                "ASSISTANT_SMTP_HOST": "127.0.0.1",
                "ASSISTANT_SMTP_PORT": str(server.port),
                "ASSISTANT_SMTP_TLS": "none",
                "ASSISTANT_SMTP_USER": "vraagbaak",
                "ASSISTANT_SMTP_PASSWORD_ENV": "VB_TEST_SMTP_PASSWORD",
            }
        )
        assert "smtp-geheim-42" not in repr(configured)
        transport = transport_from_settings(configured)
        assert "smtp-geheim-42" not in repr(transport)
        service = TriageService(Database(settings.database_url), transport=transport)
        assert _submit(service).confirmation is not None
        assert server.logins == ["vraagbaak"] and len(server.wait_for(1)) == 1

        monkeypatch.setenv("VB_TEST_SMTP_PASSWORD", "fout")
        wrong = TriageService(Database(settings.database_url), transport=transport_from_settings(configured))
        submitted = _submit(wrong)  # the request is stored; the confirmation is not sent
        assert submitted.confirmation is None
        assert triage_of(settings).get(submitted.request.reference).email == "an.peeters@example.org"
        with pytest.raises(MailError, match="weigerde de aanmelding"):
            wrong.send_reply(submitted.request.reference, "Onderwerp", "Tekst", by="anna")


def test_unreachable_smtp_server_loses_nothing(settings: Settings) -> None:
    service = TriageService.from_settings(_smtp_settings(settings, MailServer(port=free_port())))
    submitted = _submit(service)
    assert submitted.confirmation is None and service.mails(submitted.request.reference) == []
    with pytest.raises(MailError, match="kon niet verstuurd worden") as info:
        service.send_reply(submitted.request.reference, "Onderwerp", "Tekst", by="anna")
    assert "ASSISTANT_SMTP" in str(info.value)


def test_without_smtp_mails_go_to_the_outbox_as_eml_files(settings: Settings) -> None:
    service = TriageService.from_settings(settings)
    assert "geen mailserver" in service.mail_description() and str(settings.outbox_dir) in service.mail_description()
    submitted = _submit(service)
    record = submitted.confirmation
    assert record is not None and record.via == "outbox"
    path = Path(record.location)
    assert path.parent == settings.outbox_dir and path.suffix == ".eml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["X-Vraagbaak-Referentie"] == submitted.request.reference
    assert "Beste An Peeters" in parsed.get_content()  # type: ignore[attr-defined]


def test_reply_templates_per_outcome_quote_the_question(settings: Settings) -> None:
    store = triage_of(settings)
    request = store.create_request(
        question=QUESTION,
        requester_name="An",
        email="an@example.org",
        org_type="erkend",
        consent=True,
        created_at=datetime(2026, 12, 2, 13, 5, tzinfo=UTC),
    )
    taken = reply_draft(request, ReplyKind.OPGENOMEN, staff="anna", timezone="Europe/Brussels")
    assert "neemt je vraag op" in taken.body and "2 december 2026 14:05" in taken.body
    assert "> Wanneer moeten we" in taken.body and taken.body.rstrip().endswith(request.reference)
    referred = reply_draft(request, "doorverwezen", staff="anna", timezone="Europe/Brussels")
    assert "[naar wie verwijs je door?]" in referred.body  # no target yet: a placeholder, not a guess
    for reason in DECLINE_REASONS:
        declined = reply_draft(
            request,
            "afgewezen",
            staff="anna",
            timezone="Europe/Brussels",
            decline_reason=reason,
            decline_detail="De aanvraag kwam te laat" if reason == "andere" else None,
        )
        expected = DECLINE_TEXTS.get(reason, "De aanvraag kwam te laat")
        assert expected in declined.body, reason
    with pytest.raises(MailError, match="Onbekend antwoordsjabloon"):
        reply_draft(request, "misschien", staff="anna", timezone="Europe/Brussels")


def test_reply_needs_text_and_a_valid_subject(settings: Settings, smtp: MailServer) -> None:
    service = TriageService.from_settings(_smtp_settings(settings, smtp))
    ref = _submit(service).request.reference
    with pytest.raises(MailError, match="leeg"):
        service.send_reply(ref, "Onderwerp", "   ", by="anna")
    with pytest.raises(MailError, match="Het onderwerp is leeg"):
        service.send_reply(ref, " \n ", "Tekst", by="anna")
    record = service.send_reply(ref, "Twee\nregels", "Tekst", by="anna")  # no header injection
    assert record.subject == "Twee regels"
    with pytest.raises(TriageError):
        service.send_reply("VB-2026-99999", "Onderwerp", "Tekst", by="anna")


def test_staff_page_sends_a_reply_and_shows_it_in_the_history(settings: Settings, smtp: MailServer) -> None:
    configured = _smtp_settings(settings, smtp)
    service = TriageService.from_settings(configured)
    ref = _submit(service).request.reference
    triage_of(settings).change_status(ref, "opgenomen", by="anna")
    handlers = StaffHandlers(configured, desk=service)
    build_staff_blocks(handlers)
    v = handlers.view
    staff = gr.Request(username="anna")
    assert "127.0.0.1" in handlers.mail_info(staff)[v.mail_info]
    opened = handlers.open_request(ref, staff)
    assert opened[v.reply_kind] == "opgenomen" and "neemt je vraag op" in opened[v.reply_body]
    sent = handlers.send_reply(ref, opened[v.reply_subject], opened[v.reply_body] + "\nTot dan!", staff)
    assert "is verstuurd naar de vraagsteller" in sent[v.reply_notice]
    assert sent[v.reply_body] == "" and sent[v.reply_subject] == ""  # not sent twice by accident
    assert "E-mails aan de vraagsteller" in sent[v.detail] and "antwoord door anna" in sent[v.detail]
    assert "Tot dan!" in body_of(smtp.wait_for(2)[1])


def test_staff_page_says_when_a_reply_went_to_the_outbox(settings: Settings) -> None:
    service = TriageService.from_settings(settings)
    ref = _submit(service).request.reference
    handlers = StaffHandlers(settings, desk=service)
    build_staff_blocks(handlers)
    v = handlers.view
    staff = gr.Request(username="anna")
    assert "geen mailserver ingesteld" in handlers.mail_info(staff)[v.mail_info]
    filled = handlers.fill_reply(ref, "afgewezen", staff)
    sent = handlers.send_reply(ref, filled[v.reply_subject], filled[v.reply_body], staff)
    assert "NIET verstuurd" in sent[v.reply_notice] and str(settings.outbox_dir) in sent[v.reply_notice]
    assert "in de outbox" in sent[v.detail]


def test_smtp_transport_refuses_an_unknown_tls_mode() -> None:
    with pytest.raises(MailError, match="starttls, ssl of none"):
        SmtpTransport("127.0.0.1", 25, tls="soms")


def test_a_purge_redacts_the_mails_of_the_request(settings: Settings) -> None:
    from datetime import timedelta

    service = TriageService.from_settings(settings)
    ref = _submit(service).request.reference
    service.send_reply(ref, "Over je vraag, An", "Beste An Peeters, over je beleidsplan ...", by="anna")
    later = datetime.now(UTC) + timedelta(days=settings.retention_days + 1)
    assert triage_of(settings).purge_expired(later) == 1
    mails = service.mails(ref)
    assert [m.kind for m in mails] == ["bevestiging", "antwoord"]
    assert all(m.body == "[verwijderd]" and m.subject == "[verwijderd]" for m in mails)
