"""Sending mail over SMTP (verification codes; the e-mail connector may share it).

TLS verification stays on: STARTTLS and SSL use the default context. Passwords
come from the environment or a file (see ``config``), never from logs.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from intake_app.service.config import SmtpSettings
from intake_app.service.connectors.base import HelpdeskUnavailable

log = logging.getLogger(__name__)


class SmtpMailer:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    @property
    def from_address(self) -> str:
        return self.settings.from_address

    def send(self, message: EmailMessage) -> None:
        """Deliver ``message``; HelpdeskUnavailable (retryable) when the server cannot take it."""
        cfg = self.settings
        if "From" not in message:
            message["From"] = cfg.from_address
        try:
            if cfg.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout,
                                                        context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            with client:
                if cfg.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if cfg.username:
                    client.login(cfg.username, cfg.password or "")
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            # the exception text never contains the password; the recipient is personal data, so omit it
            log.warning("SMTP delivery via %s:%s failed: %s", cfg.host, cfg.port, type(exc).__name__)
            raise HelpdeskUnavailable(f"The mail server {cfg.host}:{cfg.port} did not accept the message "
                                      f"({type(exc).__name__}).") from None
