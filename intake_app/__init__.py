"""Intake: desktop helpdesk intake app and the Intake relay service."""

__version__ = "0.1.0"
APP_NAME = "Intake"
APP_ID = "intake-app"
