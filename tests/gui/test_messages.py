"""The Qt-free message bridge: buffers until the UI subscribes, in order, from any thread."""

from __future__ import annotations

import threading

from intake_app.messages import Level, Message, MessageBridge


def test_messages_wait_for_the_first_subscriber_and_arrive_in_order() -> None:
    bridge = MessageBridge()
    bridge.info("one", source="test")
    bridge.warning("two")
    bridge.error("three", title="Oops")
    assert [m.text for m in bridge.pending()] == ["one", "two", "three"]
    received: list[Message] = []
    bridge.subscribe(received.append)
    assert [(m.level, m.text) for m in received] == [(Level.INFO, "one"), (Level.WARNING, "two"),
                                                    (Level.ERROR, "three")]
    assert received[2].title == "Oops" and received[0].source == "test"
    assert bridge.pending() == []
    bridge.info("four")
    assert received[-1].text == "four"


def test_after_unsubscribing_messages_are_buffered_again() -> None:
    bridge = MessageBridge()
    received: list[Message] = []
    bridge.subscribe(received.append)
    bridge.unsubscribe(received.append)
    bridge.info("later")
    assert received == [] and [m.text for m in bridge.pending()] == ["later"]


def test_a_broken_subscriber_does_not_lose_the_message_for_the_others() -> None:
    bridge = MessageBridge()
    good: list[str] = []

    def broken(_message: Message) -> None:
        raise RuntimeError("subscriber bug")

    bridge.subscribe(broken)
    bridge.subscribe(lambda m: good.append(m.text))
    bridge.error("still delivered")
    assert good == ["still delivered"]


def test_the_backlog_is_bounded_and_keeps_the_newest() -> None:
    bridge = MessageBridge(backlog=3)
    for number in range(5):
        bridge.info(str(number))
    assert [m.text for m in bridge.pending()] == ["2", "3", "4"]


def test_posting_from_many_threads_loses_nothing() -> None:
    bridge = MessageBridge(backlog=1000)
    threads = [threading.Thread(target=lambda n=n: [bridge.info(f"{n}-{i}") for i in range(50)]) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received: list[Message] = []
    bridge.subscribe(received.append)
    assert len(received) == 400 and len({m.text for m in received}) == 400
