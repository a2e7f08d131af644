"""The screen grabber (one mss connection kept open on its own thread) on real Xvfb displays.

Connections are counted from outside, as the X server sees them: its established Unix-socket
connections, listed by ``ss``. Xvfb servers here are private, started with ``-noreset``, and
restarted or frozen (SIGSTOP) for real to lose the connection.
"""

from __future__ import annotations

import gc
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator

import pytest

from diagnostics.diag_support import xrandr
from intake_app.diagnostics.capture import ALL_MONITORS, REGION, MssSource, capture_now
from intake_app.diagnostics.errors import CaptureError
from intake_app.diagnostics.geometry import Rect
from intake_app.diagnostics.screen_grabber import ScreenGrabber, shared_grabber

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]

RED, GREEN = (255, 0, 0), (0, 255, 0)


class Xvfb:
    """One Xvfb on a fixed display number, which can be stopped, restarted (same number) and frozen."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.number = ""

    @property
    def display(self) -> str:
        return f":{self.number}"

    def start(self, width: int, height: int) -> str:
        if self.number:
            args, fds = [self.display], ()
        else:
            read_fd, write_fd = os.pipe()
            args, fds = ["-displayfd", str(write_fd)], (write_fd,)
        self.proc = subprocess.Popen(["Xvfb", *args, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
                                      "-noreset"], pass_fds=fds, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not self.number:
            os.close(fds[0])
            with os.fdopen(read_fd) as pipe:
                self.number = pipe.readline().strip()
            assert self.number, "Xvfb did not report its display number"
        else:
            self._wait_until_up()
        return self.display

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 20
        while True:
            try:
                with MssSource(self.display):
                    return
            except CaptureError:
                if time.monotonic() > deadline:
                    pytest.fail(f"Xvfb {self.display} did not come back")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGCONT)  # a frozen server must be able to end
            self.proc.terminate()
            self.proc.wait(20)
            self.proc = None

    def freeze(self, frozen: bool) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP if frozen else signal.SIGCONT)

    def clients(self) -> int:
        """Connections the server has open right now (its end of each client's Unix socket)."""
        out = subprocess.run(["ss", "-xH", "state", "established"], capture_output=True, text=True, timeout=30,
                             check=True).stdout
        name = f".X11-unix/X{self.number}"
        return sum(1 for line in out.splitlines() if len(fields := line.split()) > 4 and fields[3].endswith(name))


@pytest.fixture
def xvfb() -> Iterator[Xvfb]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed: apt-get install xvfb")
    if shutil.which("ss") is None:
        pytest.skip("ss is not installed: apt-get install iproute2")
    server = Xvfb()
    yield server
    server.stop()


@pytest.fixture
def grabbers() -> Iterator[Callable[..., ScreenGrabber]]:
    """Grabbers closed at the end of the test (a frozen server is thawed first by ``xvfb``)."""
    made: list[ScreenGrabber] = []

    def make(display: str, **kwargs: float) -> ScreenGrabber:
        grabber = ScreenGrabber(display, **kwargs)
        made.append(grabber)
        return grabber

    yield make
    for grabber in made:
        grabber.close()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited 30 s for: {what}")
        time.sleep(0.05)


def pixel(shot: object, x: int, y: int) -> tuple[int, int, int]:
    return shot.image().getpixel((x, y))  # type: ignore[attr-defined,no-any-return]


def test_two_captures_share_one_connection_and_match_capture_now(
        xvfb: Xvfb, grabbers: Callable[..., ScreenGrabber], show_pattern: Callable[..., None]) -> None:
    display = xvfb.start(1280, 720)
    show_pattern([(100, 100, 200, 100, RED), (700, 400, 100, 100, GREEN)], display)
    before = xvfb.clients()
    grabber = grabbers(display)

    first = grabber.capture_now()
    assert xvfb.clients() == before + 1  # the grabber's connection stays open between captures
    second = grabber.capture_now()
    assert xvfb.clients() == before + 1 and grabber.opens == 1

    reference = capture_now(MssSource(display))
    for shots in (first, second):
        assert [(s.monitor_index, s.geometry, s.width, s.height) for s in shots] == \
               [(s.monitor_index, s.geometry, s.width, s.height) for s in reference]
        assert bytes(shots[0].pixels) == bytes(reference[0].pixels)
    assert pixel(second[0], 150, 150) == RED and pixel(second[0], 750, 450) == GREEN

    grabber.close()
    assert xvfb.clients() == before and not grabber.is_running


def test_warm_up_opens_the_connection_the_capture_then_uses(xvfb: Xvfb,
                                                            grabbers: Callable[..., ScreenGrabber]) -> None:
    display = xvfb.start(640, 480)
    grabber = grabbers(display)
    grabber.warm_up()
    assert grabber.opens == 1 and xvfb.clients() == 1
    grabber.warm_up(grab=True)
    assert [(s.width, s.height) for s in grabber.capture_now()] == [(640, 480)]
    assert grabber.opens == 1 and xvfb.clients() == 1


def test_monitor_changes_between_captures_are_seen(xvfb: Xvfb, grabbers: Callable[..., ScreenGrabber],
                                                   show_pattern: Callable[..., None]) -> None:
    display = xvfb.start(3200, 1080)
    show_pattern([(1280 + 10, 10, 50, 50, RED)], display)
    grabber = grabbers(display)
    assert [s.geometry for s in grabber.capture_now()] == [Rect(0, 0, 3200, 1080)]

    xrandr(display, "--setmonitor", "*LEFT", "1280/338x1024/270+0+0", "screen")
    xrandr(display, "--setmonitor", "RIGHT", "1920/508x1080/286+1280+0", "none")
    shots = grabber.capture_now()
    assert {s.geometry for s in shots} == {Rect(0, 0, 1280, 1024), Rect(1280, 0, 1920, 1080)}
    right = next(s for s in shots if s.geometry.left == 1280)
    assert (right.width, right.height) == (1920, 1080) and pixel(right, 20, 20) == RED
    assert [m.rect for m in grabber.monitors()] == [s.geometry for s in shots]

    xrandr(display, "--delmonitor", "RIGHT")
    xrandr(display, "--setmonitor", "RIGHT", "960/254x540/143+1280+0", "none")  # resized
    assert {s.geometry for s in grabber.capture_now()} == \
           {Rect(0, 0, 1280, 1024), Rect(1280, 0, 960, 540)}
    xrandr(display, "--delmonitor", "RIGHT")  # removed
    assert [s.geometry for s in grabber.capture_now()] == [Rect(0, 0, 1280, 1024)]
    with pytest.raises(CaptureError, match="no monitor 2"):
        grabber.capture(2)
    assert grabber.opens == 1


def test_a_restarted_display_is_reconnected_and_a_gone_one_is_a_clear_error(
        xvfb: Xvfb, grabbers: Callable[..., ScreenGrabber]) -> None:
    display = xvfb.start(800, 600)
    grabber = grabbers(display)
    assert [(s.width, s.height) for s in grabber.capture_now()] == [(800, 600)]

    xvfb.stop()
    xvfb.start(1024, 768)  # same display number, a new server: the held connection is dead
    assert [(s.width, s.height) for s in grabber.capture_now()] == [(1024, 768)]
    assert grabber.opens == 2

    xvfb.stop()
    with pytest.raises(CaptureError, match="no display"):
        grabber.capture_now()
    with pytest.raises(CaptureError, match="no display"):
        grabber.monitors()
    xvfb.start(640, 480)
    assert [(s.width, s.height) for s in grabber.capture_now()] == [(640, 480)]


def test_a_frozen_display_gives_an_error_not_a_hang(xvfb: Xvfb, grabbers: Callable[..., ScreenGrabber]) -> None:
    display = xvfb.start(640, 480)
    grabber = grabbers(display, timeout=2.0)
    grabber.capture_now()
    xvfb.freeze(True)
    try:
        with pytest.raises(CaptureError, match="did not answer"):
            grabber.capture_now()
    finally:
        xvfb.freeze(False)
    assert [(s.width, s.height) for s in grabber.capture_now()] == [(640, 480)]  # a new thread and connection
    assert grabber.opens == 2


def test_the_connection_and_thread_end_after_the_idle_period(xvfb: Xvfb,
                                                             grabbers: Callable[..., ScreenGrabber]) -> None:
    display = xvfb.start(640, 480)
    grabber = grabbers(display, idle_seconds=0.3)
    grabber.capture_now()
    wait_for(lambda: not grabber.is_running and xvfb.clients() == 0, "the idle grabber to close its connection")
    assert not [t for t in threading.enumerate() if t.name == "intake-screen-grabber" and t.is_alive()
                and getattr(t, "_display", None) == display]
    assert len(grabber.capture_now()) == 1 and grabber.opens == 2  # reopened on demand


def test_requests_from_several_threads_each_get_their_own_answer(
        xvfb: Xvfb, grabbers: Callable[..., ScreenGrabber], show_pattern: Callable[..., None]) -> None:
    display = xvfb.start(2000, 600)
    xrandr(display, "--setmonitor", "*A", "1000/265x600/159+0+0", "screen")
    xrandr(display, "--setmonitor", "B", "1000/265x600/159+1000+0", "none")
    show_pattern([(10, 10, 40, 40, RED), (1010, 10, 40, 40, GREEN)], display)
    grabber = grabbers(display)
    indexes = {m.rect.left: m.index for m in grabber.monitors()}
    left, right = indexes[0], indexes[1000]
    expected = {
        "each": lambda shots: sorted(s.geometry.left for s in shots) == [0, 1000],
        left: lambda shots: len(shots) == 1 and pixel(shots[0], 20, 20) == RED,
        right: lambda shots: len(shots) == 1 and pixel(shots[0], 20, 20) == GREEN,
        "all": lambda shots: shots[0].monitor_index == ALL_MONITORS and pixel(shots[0], 1020, 20) == GREEN,
        Rect(1005, 5, 100, 100): lambda shots: shots[0].monitor_index == REGION and pixel(shots[0], 10, 10) == GREEN,
    }
    targets = list(expected) * 4
    results: dict[int, object] = {}
    start = threading.Barrier(len(targets))

    def ask(n: int, target: object) -> None:
        start.wait()
        try:
            results[n] = grabber.capture(target)  # type: ignore[arg-type]
        except BaseException as exc:  # noqa: BLE001 - checked below
            results[n] = exc

    threads = [threading.Thread(target=ask, args=(n, t)) for n, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for n, target in enumerate(targets):
        assert expected[target](results[n]), f"wrong answer for {target!r}: {results[n]!r}"
    assert grabber.opens == 1


def test_errors_reach_the_caller_as_capture_now_raises_them(xvfb: Xvfb,
                                                             grabbers: Callable[..., ScreenGrabber]) -> None:
    display = xvfb.start(640, 480)
    grabber = grabbers(display)
    with pytest.raises(CaptureError, match="no monitor 99"):
        grabber.capture(99)
    with pytest.raises(CaptureError, match="not on any screen"):
        grabber.capture(Rect(50_000, 50_000, 10, 10))
    with pytest.raises(TypeError, match="unknown capture target"):
        grabber.capture("everything")  # type: ignore[arg-type]
    assert len(grabber.capture_now()) == 1 and grabber.opens == 1  # errors do not cost the connection
    with pytest.raises(CaptureError, match="no display"):
        grabbers(":987").capture_now()


def test_no_screenshot_stays_alive_after_it_is_handed_out(xvfb: Xvfb,
                                                         grabbers: Callable[..., ScreenGrabber]) -> None:
    grabber = grabbers(xvfb.start(640, 480))
    shots = grabber.capture_now()
    ref = weakref.ref(shots[0])
    del shots
    gc.collect()
    assert ref() is None
    with pytest.raises(CaptureError):
        grabber.capture(99)
    assert grabber.is_running  # the thread waits for more, holding nothing


def test_the_shared_grabber_is_one_and_closes_at_exit(xvfb: Xvfb) -> None:
    assert shared_grabber() is shared_grabber()
    display = xvfb.start(640, 480)
    # atexit runs handlers last-registered first: register the check *before* importing the grabber
    script = ("import atexit, sys\n"
              "state = {}\n"
              "atexit.register(lambda: print('running at exit:', state['g'].is_running, flush=True))\n"
              "from intake_app.diagnostics import screen_grabber\n"
              "state['g'] = g = screen_grabber.ScreenGrabber(sys.argv[1])\n"
              "print(len(g.capture_now()), g.is_running, flush=True)\n")
    out = subprocess.run([sys.executable, "-c", script, display], capture_output=True, text=True, timeout=60,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["1 True", "running at exit: False"]
    assert xvfb.clients() == 0
