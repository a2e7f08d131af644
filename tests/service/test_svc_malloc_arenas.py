"""``serve --demo`` keeps one glibc malloc arena; nothing is tried where there is no glibc."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from svc_helpers import make_draft, two_attachments
from svc_service import ACME_KEY, ServeProcess, seed_acme

from intake_app.service.malloc_arenas import Facts, current_facts, limit_arenas

ARENA_SPAN = 64 << 20  # glibc's HEAP_MAX_SIZE on 64-bit: each thread arena is one aligned 64 MiB reservation
ON_GLIBC = sys.platform.startswith("linux") and current_facts().libc.startswith("glibc")


class Libc:
    """A stand-in for ``ctypes.CDLL(None)`` that records what it was asked."""

    def __init__(self, has_mallopt: bool = True) -> None:
        self.calls: list[tuple[int, int]] = []
        if has_mallopt:
            self.mallopt = self._mallopt

    def _mallopt(self, param: Any, value: Any) -> int:
        self.calls.append((param.value, value.value))
        return 1


@pytest.mark.parametrize("facts", [Facts("win32", ""), Facts("darwin", ""), Facts("linux", "")],
                         ids=["windows", "macos", "musl"])
def test_without_glibc_nothing_is_loaded_or_called(facts: Facts) -> None:
    loaded: list[Libc] = []
    assert limit_arenas(1, facts, load_libc=lambda: loaded.append(Libc()) or loaded[-1]) is False
    assert loaded == []


def test_on_glibc_the_arena_cap_is_asked_for() -> None:
    libc = Libc()
    assert limit_arenas(2, Facts("linux", "glibc 2.36"), load_libc=lambda: libc) is True
    assert libc.calls == [(-8, 2)]  # M_ARENA_MAX


def test_a_libc_without_mallopt_is_left_alone() -> None:
    assert limit_arenas(1, Facts("linux", "glibc 2.36"), load_libc=lambda: Libc(has_mallopt=False)) is False


def test_the_facts_of_this_machine() -> None:
    facts = current_facts()
    assert facts.platform == sys.platform
    assert facts.libc == "" or facts.libc.startswith("glibc ")


def thread_arenas(pid: int) -> int:
    """How many glibc thread arenas a process has mapped (main-arena memory is the brk heap)."""
    maps = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split()
        start, end = (int(x, 16) for x in fields[0].split("-"))
        maps.append((start, end, fields[1], len(fields) > 5))
    count = 0
    for (start, end, perms, named), (n_start, n_end, n_perms, n_named) in zip(maps, maps[1:]):
        if (not named and not n_named and perms == "rw-p" and n_perms == "---p" and start % ARENA_SPAN == 0
                and n_start == end and n_end - start == ARENA_SPAN):
            count += 1
    return count


def use(service: ServeProcess, key: str, email: str) -> None:
    device = service.api().enrol(key, "PC-ANN", "Ann Example", email)
    for _ in range(3):
        files = two_attachments()
        device.submit(make_draft("Ann Example", email, attachments=files), files)
        assert device.api.get("/tickets").status_code == 200


@pytest.mark.slow
@pytest.mark.skipif(not ON_GLIBC, reason="malloc arenas are glibc's; other C libraries have nothing to limit")
def test_the_demo_service_shares_one_arena_a_production_one_does_not(
        tmp_path: Path, spawn_serve: Callable[..., ServeProcess]) -> None:
    demo = spawn_serve("--demo", "--data", str(tmp_path / "demo"))
    use(demo, "demo", "ann@example.com")
    assert thread_arenas(demo.process.pid) == 0
    assert demo.stop() == 0

    seed_acme(tmp_path / "acme")
    production = spawn_serve("--data", str(tmp_path / "acme"))
    use(production, ACME_KEY, "ann@acme.example")
    assert thread_arenas(production.process.pid) > 0  # glibc's default: the worker threads have their own
    assert production.stop() == 0
