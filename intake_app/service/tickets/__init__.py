"""Tickets as the service sees them: accepted into the outbox, cached from the helpdesk, shown to users."""
