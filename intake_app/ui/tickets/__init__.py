"""My tickets: the list, the detail, the user's actions, escalation approvals and the background refresh.

Import from the modules (``window``, ``refresher``, ``feature``); this file stays
empty so importing the package costs nothing.
"""
