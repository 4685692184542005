"""How mails leave Vraagbaak: an SMTP server, or an outbox folder of ``.eml`` files.

With ``ASSISTANT_SMTP_HOST`` set, mails go through that server (STARTTLS, SSL or,
on a trusted relay only, plain; login with ``ASSISTANT_SMTP_USER`` and the
password in the variable named by ``ASSISTANT_SMTP_PASSWORD_ENV``).  Without it,
each mail is written to ``ASSISTANT_OUTBOX`` as an ``.eml`` file that a staff
member can open in a mail program and send; the staff page says so.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from ..errors import MailError
from ..settings import Settings

logger = logging.getLogger(__name__)

__all__ = ["Delivery", "MailTransport", "OutboxTransport", "SmtpTransport", "transport_from_settings"]

#: Seconds to wait for the SMTP server to connect or answer.
SMTP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Delivery:
    """Where a mail went: ``via`` is ``smtp`` or ``outbox``; ``location`` the server or the file."""

    via: str
    location: str


class MailTransport(Protocol):
    """Sends one message; raises :class:`MailError` with a Dutch message when it cannot."""

    #: One sentence for the staff page: where mails go.
    description: str

    def send(self, message: EmailMessage) -> Delivery: ...


class SmtpTransport:
    """An SMTP server (``smtplib``), one connection per mail."""

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        tls: str = "starttls",
        user: str | None = None,
        password: str | None = None,
        timeout: float = SMTP_TIMEOUT_S,
    ) -> None:
        if tls not in ("starttls", "ssl", "none"):
            raise MailError(f"Onbekende TLS-instelling {tls!r}; kies starttls, ssl of none (ASSISTANT_SMTP_TLS).")
        self.host = host
        self.port = port
        self.tls = tls
        self.user = user
        self._password = password
        self.timeout = timeout
        self.description = f"Mails gaan via de mailserver {host}:{port}."

    def __repr__(self) -> str:  # the password stays out of logs
        return f"SmtpTransport({self.host!r}, {self.port}, tls={self.tls!r}, user={self.user!r})"

    def send(self, message: EmailMessage) -> Delivery:
        where = f"{self.host}:{self.port}"
        try:
            if self.tls == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.tls == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self._password or "")
                refused = client.send_message(message)
        except smtplib.SMTPAuthenticationError as err:
            raise MailError(
                f"De mailserver {where} weigerde de aanmelding van {self.user!r}; controleer ASSISTANT_SMTP_USER "
                "en het wachtwoord in de variabele van ASSISTANT_SMTP_PASSWORD_ENV."
            ) from err
        except smtplib.SMTPRecipientsRefused as err:
            raise MailError(
                f"De mailserver {where} weigerde het adres van de vraagsteller; controleer het e-mailadres."
            ) from err
        except (smtplib.SMTPException, OSError) as err:
            raise MailError(
                f"De mail kon niet verstuurd worden via {where} ({type(err).__name__}: {err}); probeer het later "
                "opnieuw of controleer de instellingen ASSISTANT_SMTP_*."
            ) from err
        if refused:
            raise MailError(f"De mailserver {where} weigerde {len(refused)} adres(sen); controleer het e-mailadres.")
        logger.info("mail %s sent via %s", message.get("X-Vraagbaak-Referentie", "?"), where)
        return Delivery("smtp", where)


class OutboxTransport:
    """Writes each mail as an ``.eml`` file (mode 0600) into a folder, for a person to send."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.description = (
            f"Er is geen mailserver ingesteld (ASSISTANT_SMTP_HOST): mails worden niet verstuurd maar als "
            f".eml-bestand bewaard in {self.folder}. Open zo'n bestand in je mailprogramma om het te versturen."
        )

    def __repr__(self) -> str:
        return f"OutboxTransport({str(self.folder)!r})"

    def send(self, message: EmailMessage) -> Delivery:
        reference = str(message.get("X-Vraagbaak-Referentie", "mail"))
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "wb") as fh:
                fh.write(message.as_bytes())
            path = self.folder / f"{stamp}-{reference}.eml"
            os.replace(tmp, path)
        except OSError as err:
            raise MailError(
                f"De mail kon niet bewaard worden in {self.folder} ({err.strerror}); controleer ASSISTANT_OUTBOX "
                "en de rechten op die map."
            ) from err
        logger.info("mail %s written to the outbox", reference)
        return Delivery("outbox", str(path))


def transport_from_settings(settings: Settings) -> MailTransport:
    """SMTP when ``smtp_host`` is set, else the outbox folder."""
    if settings.smtp_host:
        return SmtpTransport(
            settings.smtp_host,
            settings.smtp_port,
            tls=settings.smtp_tls,
            user=settings.smtp_user,
            password=settings.smtp_password(),
        )
    return OutboxTransport(settings.outbox_dir)
