"""The technician's side of Request Tracker in the tests: RT's own REST2 API, never Intake."""

from __future__ import annotations

from typing import Any

import requests


class RtTechnician:
    """A technician working in RT through its own REST2 API."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def close(self) -> None:
        self.session.close()

    def get(self, path: str, **params: Any) -> Any:
        r = self.session.get(self.url + path, params=params, timeout=30)
        r.raise_for_status()
        return r.json()

    def put(self, ticket_id: str, body: dict[str, Any]) -> list[str]:
        r = self.session.put(f"{self.url}ticket/{ticket_id}", json=body, timeout=30)
        r.raise_for_status()
        return r.json()

    def post(self, path: str, body: Any) -> requests.Response:
        r = self.session.post(self.url + path, json=body, timeout=30)
        r.raise_for_status()
        return r

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        return self.get(f"ticket/{ticket_id}")

    def status(self, ticket_id: str) -> str:
        return str(self.ticket(ticket_id)["Status"])

    def set_status(self, ticket_id: str, status: str) -> list[str]:
        return self.put(ticket_id, {"Status": status})

    def answer(self, ticket_id: str, text: str, status: str | None = None) -> None:
        body: dict[str, Any] = {"Content": text, "ContentType": "text/plain"}
        if status:
            body["Status"] = status
        self.post(f"ticket/{ticket_id}/correspond", body)

    def comment(self, ticket_id: str, text: str) -> None:
        self.post(f"ticket/{ticket_id}/comment", {"Content": text, "ContentType": "text/plain"})

    def custom_fields(self, ticket_id: str) -> dict[str, list[str]]:
        return {cf["name"]: cf["values"] for cf in self.ticket(ticket_id)["CustomFields"]}

    def history(self, ticket_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            data = self.get(f"ticket/{ticket_id}/history", fields="Type,Field,OldValue,NewValue,Data",
                            page=page, per_page=100)
            if not data["items"]:
                return items
            items += data["items"]
            page += 1

    def attachments(self, ticket_id: str) -> list[dict[str, Any]]:
        data = self.get(f"ticket/{ticket_id}/attachments", fields="Filename,ContentType,TransactionId", per_page=100)
        return data["items"]

    def attachment(self, attachment_id: str) -> dict[str, Any]:
        return self.get(f"attachment/{attachment_id}")
