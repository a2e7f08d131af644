"""The demo service's data: "Demo company" with the public enrolment key ``demo``.

Made idempotently at every start of ``serve --demo`` / ``admin --demo``, so the
desktop client's demo mode can always enrol. E-mail verification is automatic
in demo mode (see ``verification``): everything stays on this computer.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

from intake_app.core.ticket import Contact
from intake_app.service.companies import Companies, Company
from intake_app.service.contacts import LocalContacts
from intake_app.service.errors import Conflict, Invalid

log = logging.getLogger(__name__)

DEMO_COMPANY = "Demo company"
DEMO_KEY = "demo"
DEMO_POLICY: dict[str, Any] = {
    "demo": True,
    "support_phone": "(713) 782-4357",
    "portal_url": "",
    "escalation_fee": "$250",
    "calendar": {"timezone": "UTC", "hours": {d: ["08:00", "17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}},
    "response_targets": [
        {"priority": 1, "minutes": 60, "around_the_clock": True},
        {"priority": 2, "minutes": 240},
        {"priority": 3, "minutes": 480},
        {"priority": 4, "minutes": 2400},
    ],
    "tray_links": [],
}
DEMO_CATCH_ALL = Contact("Demo helpdesk inbox", "helpdesk@demo.invalid", "", DEMO_COMPANY)


def seed_demo(companies: Companies) -> None:
    """Create the demo company, its policy and its key unless they exist."""
    company = companies.find_by_name(DEMO_COMPANY)
    if company is None:
        try:
            company = companies.add(DEMO_COMPANY, DEMO_CATCH_ALL, DEMO_POLICY)
            log.info("created the demo company")
        except Conflict:  # another process (admin --demo) made it a moment ago
            company = companies.by_name(DEMO_COMPANY)
    if companies.company_for_key(DEMO_KEY) is None:
        with suppress(Conflict):  # made by another process meanwhile
            companies.add_key(company, DEMO_KEY, "demo (public)")


def adopt_user(contacts: LocalContacts, company: Company, name: str, email: str) -> None:
    """Demo only: an enrolling user becomes a contact on file (the first one the primary IT contact),
    so the demo shows their own details and lets them try approving an escalation."""
    email = email.strip().lower()
    if not email or company.name != DEMO_COMPANY:
        return
    known = contacts.list(company)
    if any(c.email == email for c in known):
        return
    with suppress(Conflict, Invalid):  # added meanwhile, or not an address: the demo goes on without it
        contacts.add(company, name, email, primary=not any(c.is_primary_contact for c in known))
