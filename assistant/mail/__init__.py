"""Mails to requesters: Dutch templates per outcome, sent by SMTP or kept in an outbox folder."""

from __future__ import annotations

from .messages import DECLINE_TEXTS, Draft, ReplyKind, build_message, confirmation, reply_draft
from .transport import Delivery, MailTransport, OutboxTransport, SmtpTransport, transport_from_settings

__all__ = [
    "DECLINE_TEXTS",
    "Delivery",
    "Draft",
    "MailTransport",
    "OutboxTransport",
    "ReplyKind",
    "SmtpTransport",
    "build_message",
    "confirmation",
    "reply_draft",
    "transport_from_settings",
]
