"""Background work of the service: the relay (outbox → helpdesk), the sync loop, lifecycle jobs."""
