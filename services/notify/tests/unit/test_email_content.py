"""What an e-mail says at each content level, with whose name, and how it is built."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from interlude.notify.app import compose
from interlude.notify.domain import content
from interlude.notify.domain import unsubscribe as tokens
from interlude.notify.settings import NotifySettings

TOPIC, EXCERPT = "TOPIC-MARKER", "EXCERPT-MARKER"


@pytest.mark.parametrize(("level", "topic", "excerpt"), [
    ("none", None, None), ("subject", TOPIC, None), ("full", TOPIC, EXCERPT)])
def test_content_beyond_the_level_is_dropped(level: content.ContentLevel, topic: str | None,
                                             excerpt: str | None) -> None:
    line = content.line("coach_replied", "Claire", "https://x/1", level, TOPIC, EXCERPT)
    assert (line.summary, line.topic, line.excerpt) == ("Claire replied to you", topic, excerpt)


def test_a_pseudonym_always_stands_in_for_the_name() -> None:
    assert content.shown_actor("Claire Dubois", "Quiet Heron") == "Quiet Heron"
    assert content.shown_actor("Claire Dubois", None) == "Claire Dubois"
    assert content.shown_actor(None, None) == content.SOMEONE


def test_the_subject_is_one_short_line() -> None:
    line = content.line("coach_replied", "Claire", "l", "subject", "a\r\nBcc: x@y" + "z" * 200,
                        None)
    subject = content.subject_line([line])
    assert "\n" not in subject and "\r" not in subject and len(subject) <= 80
    assert content.subject_line([line, line]).startswith("2 new things")


def deps() -> SimpleNamespace:
    settings = NotifySettings(public_url="https://app.example", api_url="https://notify.example")
    return SimpleNamespace(settings=settings, unsubscribe_secret=b"s" * 32)


def outgoing(*kinds: str) -> compose.Outgoing:
    rows = [{"notification_id": f"n{i}", "kind": kind, "detail": {}}
            for i, kind in enumerate(kinds)]
    return compose.Outgoing("t1", "u1", "batch1", rows)


def test_a_message_has_text_and_html_escaped_and_one_click_unsubscribe() -> None:
    shown = [content.line("coach_replied", "<script>x</script>", "https://app.example/c/1",
                          "full", "Deadlines & <b>me</b>", EXCERPT)]
    msg = compose.message(deps(), outgoing("coach_replied"), shown, "ana@example.org")
    assert msg["Message-ID"] == "<batch1@interlude.localhost>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = (part.strip(" <>") for part in msg["List-Unsubscribe"].split(","))
    assert https.startswith("https://notify.example/v1/notify/unsubscribe?token=")
    assert mailto.startswith("mailto:unsubscribe@interlude.localhost?subject=")
    token = https.split("token=")[1]
    assert tokens.read(b"s" * 32, token) == tokens.Unsubscribe("t1", "u1", "coach_replied")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "<script>x</script> replied to you" in text and EXCERPT in text
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; &lt;b&gt;" in html


def test_a_message_about_several_kinds_unsubscribes_from_all() -> None:
    shown = [content.line(k, "A", "l", "none", None, None) for k in ("coach_replied",
                                                                       "post_reacted")]
    msg = compose.message(deps(), outgoing("coach_replied", "post_reacted"), shown, "a@b.example")
    token = msg["List-Unsubscribe"].split("token=")[1].split(">")[0]
    assert tokens.read(b"s" * 32, token).kind is None
    assert msg["X-Interlude-Notifications"] == "n0,n1"
