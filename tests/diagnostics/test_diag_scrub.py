"""Secrets never survive scrubbing; ordinary text does; environment only by allowlist."""

from __future__ import annotations

import pytest

from intake_app.diagnostics.scrub import ENV_ALLOWLIST, REDACTED, allowed_environment, scrub_argv, scrub_text

SECRETS = [
    ("db password=hunter2 ok", "hunter2"),
    ("DB_PASSWORD=hunter2", "hunter2"),
    ('{"password": "correct horse"}', "correct horse"),
    ("api_key: sk9f8e7d6c5b4a", "sk9f8e7d6c5b4a"),
    ("X-Api-Key=abcdef123456", "abcdef123456"),
    ("client_secret='s3cr3t value'", "s3cr3t value"),
    ("app --password hunter2 --port 80", "hunter2"),
    ("app --password=hunter2", "hunter2"),
    ("app --token abc.def.ghi", "abc.def.ghi"),
    ("mysqladmin -u root -p hunter2 status", "hunter2"),
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "eyJhbGciOiJIUzI1NiJ9"),
    ("curl -H 'Authorization: token 0123456789abcdef'", "0123456789abcdef"),
    ("https://dana:hunter2@files.example.com/share", "hunter2"),
    ("postgres://app:pa55word@db:5432/prod", "pa55word"),
    ("https://example.com/cb?access_token=ya29.A0ARrdaM&x=1", "ya29.A0ARrdaM"),
    ("aws AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG"),
    ("export GITHUB_TOKEN ghp_0123456789abcdefghijABCDEFGHIJ012345", "ghp_0123456789"),
    ("slack xoxb-1234567890-abcdefghijklmno", "xoxb-1234567890"),
    ("key AIzaSyA1234567890abcdefghijklmnopqrstuv", "AIzaSyA1234567890"),
    ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "4eC39HqLyjWDarjtT1zdp7dc"),
    ("random 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 end", "9f86d081884c7d659a2f"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "b3BlbnNz"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA (cut off", "MIIEpAIBAAKCAQEA"),
]


@pytest.mark.parametrize(("text", "secret"), SECRETS)
def test_secret_samples_are_removed(text: str, secret: str) -> None:
    cleaned = scrub_text(text)
    assert secret not in cleaned
    assert "[redacted]" in cleaned or "[private key removed]" in cleaned


@pytest.mark.parametrize("text", [
    "/usr/bin/python3 -m http.server 8000",
    "C:\\Program Files\\Agent\\agent.exe --service --log-level info",
    "firefox -contentproc -childID 1 -isForBrowser -prefsLen 28000",
    "The printer on floor 2 is offline since 09:00",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert scrub_text(text) == text


def test_argv_hides_option_values_and_mysql_attached_passwords() -> None:
    assert scrub_argv(["mysql", "-uroot", "-pS3cret", "db"]) == ["mysql", "-uroot", f"-p{REDACTED}", "db"]
    assert scrub_argv(["tool", "--password", "x y z", "--api-key", "k", "-p", "v", "--verbose"]) == [
        "tool", "--password", REDACTED, "--api-key", REDACTED, "-p", REDACTED, "--verbose"]
    assert scrub_argv(["/usr/bin/gcc", "-pthread", "-O2"]) == ["/usr/bin/gcc", "-pthread", "-O2"]
    assert scrub_argv([]) == []


def test_environment_only_by_allowlist_and_scrubbed() -> None:
    env = {"LANG": "de_DE.UTF-8", "USERDOMAIN": "CORP", "AWS_SECRET_ACCESS_KEY": "abc", "PATH": "/usr/bin",
           "HOME": "/home/dana", "SESSIONNAME": "RDP-Tcp#0 token=abcdef", "XDG_SESSION_TYPE": ""}
    result = allowed_environment(env)
    assert result == {"LANG": "de_DE.UTF-8", "USERDOMAIN": "CORP", "SESSIONNAME": f"RDP-Tcp#0 token={REDACTED}"}
    assert set(result) <= set(ENV_ALLOWLIST)
