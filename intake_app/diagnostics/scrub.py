"""Remove secrets from text the app collects on its own (SPEC §2, STYLE habit 8).

Process command lines, command-probe output, file-probe content and environment
values are written by other programs; any of them may carry a password or a token.
Scrubbing is by pattern and errs on the side of removing too much: a technician can
ask for a value again, a leaked password cannot be recalled. Environment variables are
reported only by allowlist, never wholesale.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

REDACTED = "[redacted]"

ENV_ALLOWLIST: tuple[str, ...] = (
    # Windows
    "COMPUTERNAME", "USERDOMAIN", "USERDNSDOMAIN", "LOGONSERVER", "SESSIONNAME", "CLIENTNAME",
    "PROCESSOR_ARCHITECTURE", "PROCESSOR_IDENTIFIER", "NUMBER_OF_PROCESSORS", "OS",
    # POSIX desktops
    "LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "TZ", "DESKTOP_SESSION", "XDG_SESSION_TYPE",
    "XDG_CURRENT_DESKTOP", "XDG_SESSION_DESKTOP", "DISPLAY", "WAYLAND_DISPLAY", "TERM",
    # scaling problems are common helpdesk questions
    "QT_QPA_PLATFORM", "QT_SCALE_FACTOR", "QT_SCREEN_SCALE_FACTORS", "QT_ENABLE_HIGHDPI_SCALING", "GDK_SCALE",
)

_SECRET_NAME = (
    r"[\w.-]*?(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|private[_-]?key|credentials?|authorization|session[_-]?id|cookie)[\w.-]*"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # PEM private key blocks, also when the END line was cut off
    (re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.S),
     "[private key removed]"),
    # scheme://user:password@host
    (re.compile(r"\b([a-z][a-z0-9+.-]*://)[^/\s:@]*:[^@\s/]*@", re.I), r"\1" + REDACTED + "@"),
    # Authorization: Bearer xyz / Basic xyz / token xyz
    (re.compile(r"\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=-]{6,}", re.I), r"\1\2" + REDACTED),
    # --password value / --token=value / -p value
    (re.compile(r"(?<!\S)(--?" + _SECRET_NAME + r"|-p|--pass|-pw)(=|\s+)(\"[^\"]*\"|'[^']*'|\S+)", re.I),
     r"\1\2" + REDACTED),
    # name=value, name: value, "name": "value" (env files, JSON, query strings, connection strings)
    (re.compile(r"(\"?\b" + _SECRET_NAME + r"\"?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s&;,\"']+)", re.I),
     r"\1" + REDACTED),
    # AWS access key ids
    (re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"), REDACTED),
    # well-known token shapes: JWT, GitHub, Slack, Google API keys, Stripe/OpenAI-style keys
    (re.compile(r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}"), REDACTED),
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), REDACTED),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), REDACTED),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{30,}"), REDACTED),
    (re.compile(r"\b(?:sk|pk|rk)[-_](?:live|test|proj)?[-_]?[A-Za-z0-9]{20,}"), REDACTED),
    # any other long random-looking run of letters and digits (API keys, hex secrets)
    (re.compile(r"(?<![\w/.-])(?=[A-Za-z0-9+/_=-]*\d)(?=[A-Za-z0-9+/_=-]*[A-Za-z])[A-Za-z0-9+/_=-]{32,}"), REDACTED),
)
_MYSQL_FAMILY = ("mysql", "mysqldump", "mysqladmin", "mariadb", "mariadb-dump")


def scrub_text(text: str) -> str:
    """``text`` with every secret-looking part replaced by ``[redacted]``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def scrub_argv(argv: Sequence[str]) -> list[str]:
    """A process's argument list, scrubbed; handles options whose value is the next argument."""
    out: list[str] = []
    hide_next = False
    program = os.path.basename(argv[0]).lower().removesuffix(".exe") if argv else ""
    for arg in argv:
        if hide_next:
            out.append(REDACTED)
            hide_next = False
            continue
        if re.fullmatch(r"--?(?:p|pw|pass|" + _SECRET_NAME + ")", arg, re.I):
            out.append(arg)
            hide_next = True
            continue
        if program in _MYSQL_FAMILY and re.fullmatch(r"-p.+", arg):
            out.append("-p" + REDACTED)  # mysql -pSECRET
            continue
        out.append(scrub_text(arg))
    return out


def allowed_environment(environ: Mapping[str, str] | None = None,
                        allowlist: Sequence[str] = ENV_ALLOWLIST) -> dict[str, str]:
    """Only the allowlisted variables that are set, values scrubbed."""
    env = os.environ if environ is None else environ
    return {name: scrub_text(env[name]) for name in allowlist if env.get(name)}
