"""Message bodies on the ticket page are rendered once per process and reused."""

from __future__ import annotations

import pytest

from tracker import services
from tracker.models import Attachment
from tracker.principals import system_user
from tracker.web.history import rendered_bodies

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    rendered_bodies.clear()
    yield
    rendered_bodies.clear()


def test_second_view_reuses_the_rendered_body(client, staff, ticket):
    services.correspond(
        ticket=ticket, actor=system_user(), body="Thanks.\n> earlier <words>"
    )
    client.force_login(staff)
    first = client.get(ticket.get_absolute_url()).content.decode()
    cached = len(rendered_bodies._items)

    second = client.get(ticket.get_absolute_url()).content.decode()

    assert cached >= 2  # the create message and the reply
    assert len(rendered_bodies._items) == cached
    assert (
        first.count("earlier &lt;words&gt;")
        == second.count("earlier &lt;words&gt;")
        == 1
    )


def test_quoted_text_is_folded_and_escaped(client, staff, ticket):
    services.correspond(
        ticket=ticket, actor=system_user(), body="Answer <b>here</b>\n> quoted line"
    )
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "<pre>Answer &lt;b&gt;here&lt;/b&gt;</pre>" in html
    assert (
        '<details class="quote"><summary>Quoted text</summary><pre>&gt; quoted line</pre></details>'
        in html
    )


def test_same_row_id_with_other_content_is_rendered_afresh(staff, ticket):
    part = Attachment.objects.filter(content_type="text/plain").first()
    before = rendered_bodies.get(part, "plain")[0]
    part.content = "Different words"

    after = rendered_bodies.get(part, "plain")[0]

    assert "Different words" in after
    assert "Different words" not in before


def test_html_bodies_are_cached_sanitised(ticket):
    part = Attachment(
        pk=10**9, content_type="text/html", content="<p>Hi<script>x()</script></p>"
    )

    html, text = rendered_bodies.get(part, "html")

    assert "<script>" not in html
    assert rendered_bodies.get(part, "html") == (html, text)
