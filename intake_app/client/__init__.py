"""The desktop client's link to the Intake service, Qt-free (docs/client.md).

* :mod:`~intake_app.client.api`: ``ApiClient``, the Intake API (docs/API.md) as methods;
* :mod:`~intake_app.client.errors`: the typed errors, each with a sentence for the user;
* :mod:`~intake_app.client.outbox` and :mod:`~intake_app.client.outbox_sender`: the durable
  outbox (a ticket is on disk, byte for byte, before any network call) and its sender;
* :mod:`~intake_app.client.context`: which service to use (admin file or demo) and enrolment;
* :mod:`~intake_app.client.demo`: the local demo service as a child process.

Nothing is imported here: the tray imports this package before it may pay for
``requests`` (only :mod:`~intake_app.client.transport` imports it).
"""
