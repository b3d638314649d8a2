"""Links into the video room of one online intake (pure: no database, no clock).

Without a Jitsi server of her own the link is the rules' address with the room filled in:
unguessable, but it works for anyone it reaches, forever. With a self-hosted Jitsi that
checks tokens (JWT, HS256 with the app secret), every link carries a signed token that
admits one person to that intake's room only, and only around its time; the therapist's
own link makes her moderator.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

import jwt

CLIENT = "client"
THERAPIST = "therapist"

# Open a little before the start, so both can check sound and camera, and a while after the
# end, so a conversation that runs over is not cut off; outside that a forwarded link is useless.
OPENS_BEFORE = timedelta(minutes=15)
CLOSES_AFTER = timedelta(minutes=30)


def server_domain(server: str) -> str:
    return urlsplit(server).hostname or ""


def jitsi_claims(
    *, app_id: str, server: str, room: str, name: str, moderator: bool, start: datetime, end: datetime
) -> dict:
    """The standard claims Jitsi's token authentication checks (prosody's token_verification).

    `name` may be empty: a client's link carries no name, because the link travels in emails and
    calendar files and lands in the video server's log; she types the name she likes in the room."""
    user: dict = {"name": name, "moderator": moderator} if name else {"moderator": moderator}
    return {
        "aud": "jitsi",
        "iss": app_id,
        "sub": server_domain(server),
        "room": room,
        "nbf": int((start - OPENS_BEFORE).timestamp()),
        "exp": int((end + CLOSES_AFTER).timestamp()),
        # Both places where Jitsi's plugins look for the moderator flag.
        "moderator": moderator,
        "context": {"user": user},
    }


def jitsi_link(
    *,
    server: str,
    app_id: str,
    secret: str,
    room: str,
    name: str,
    moderator: bool,
    start: datetime,
    end: datetime,
) -> str:
    # No "iat": the same intake gives the same link every time, so her calendar feed only
    # changes (and her calendar program only fetches it again) when the intake does.
    claims = jitsi_claims(app_id=app_id, server=server, room=room, name=name, moderator=moderator, start=start, end=end)
    token = jwt.encode(claims, secret, algorithm="HS256")
    return f"{server.rstrip('/')}/{room}?{urlencode({'jwt': token})}"
