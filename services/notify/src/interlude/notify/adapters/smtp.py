"""Sending one message to one recipient over SMTP (``aiosmtplib``), and its fake. Failures
come back as two kinds the sender acts on: worth trying again later (the server away, a 4xx)
or final for this recipient (a 5xx)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib


class TemporaryFailure(Exception):
    """Try again later: connection refused or lost, a timeout, a 4xx answer."""


class PermanentFailure(Exception):
    """This recipient will not take it: a 5xx answer."""


class Mailer(Protocol):
    async def send(self, message: EmailMessage, sender: str, recipient: str) -> None: ...


def cancelled_meanwhile() -> None:
    """Raise CancelledError if the task was cancelled while a library turned the cancellation
    into an error of its own (a lost connection): a sender that is stopped must stop."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _reason(code: int) -> str:
    return f"smtp {code}"  # never the server's text: it may repeat the address


@dataclass
class SmtpMailer:
    host: str
    port: int
    timeout: float = 30.0
    username: str | None = None
    password: str | None = None
    start_tls: bool | None = None  # None: if the server offers it

    async def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        try:
            errors, _ = await aiosmtplib.send(
                message, sender=sender, recipients=[recipient], hostname=self.host,
                port=self.port, timeout=self.timeout, username=self.username,
                password=self.password, start_tls=self.start_tls)
        except aiosmtplib.SMTPRecipientsRefused as err:
            codes = [e.code for e in err.recipients]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(_reason(codes[0])) from None
            raise TemporaryFailure(_reason(codes[0] if codes else 0)) from None
        except aiosmtplib.SMTPResponseException as err:
            failure = PermanentFailure if err.code >= 500 else TemporaryFailure
            raise failure(_reason(err.code)) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as err:
            cancelled_meanwhile()
            raise TemporaryFailure(f"smtp unreachable ({type(err).__name__})") from None
        if errors:  # one recipient only: a refusal here is that recipient's
            code = next(iter(errors.values())).code
            raise (PermanentFailure if code >= 500 else TemporaryFailure)(_reason(code))


@dataclass
class MemoryMailer:
    """The fake: keeps what it was given; ``failures`` are raised first, one per send."""

    sent: list[tuple[str, EmailMessage]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)

    async def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((recipient, message))
