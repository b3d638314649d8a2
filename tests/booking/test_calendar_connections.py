"""Her calendars cannot reach inside the network: every connection a calendar read or write
makes is checked when it is made, redirects included, for .ics addresses and CalDAV alike.

Real servers on loopback (allowed in tests by CALENDAR_ALLOW_LOOPBACK) answer with redirects to
addresses that must never be connected to; an audit hook records every connection the process
tries, so "refused" means that not even an attempt was made."""

import resource
import socket
import threading

import pytest
from django.utils import timezone

from booking.calendars import fetching
from booking.calendars import sync as calendarsync
from booking.models import BusyPeriod, OutgoingEmail
from tests.booking import test_own_calendars
from tests.booking.helpers import book, free_slots
from tests.booking.servers import Connections, Route
from tests.booking.test_own_calendars import caldav_source, ics_source, ics_with

# The same site and real .ics server as test_own_calendars.py.
site = test_own_calendars.site
ics_server = test_own_calendars.ics_server


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        # Public addresses, as themselves and inside the IPv6 forms that carry them.
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::808:808", True),  # NAT64 of a public address: how an IPv6-only server reaches IPv4
        ("2002:808:808::1", True),  # 6to4 of a public address
        # Inside the network, or this machine.
        ("127.0.0.1", False),
        ("::1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),  # cloud metadata
        ("fd00:ec2::254", False),  # cloud metadata, IPv6
        ("fe80::1", False),  # link-local
        ("fe80::1%eth0", False),
        ("fc00::1", False),  # unique local (ULA)
        ("fd12:3456::1", False),
        ("fec0::1", False),  # site-local
        ("0.0.0.0", False),  # noqa: S104 - an address checked, not bound
        ("::", False),
        ("224.0.0.1", False),
        ("ff02::1", False),
        ("ff0e::1", False),  # global multicast
        ("255.255.255.255", False),
        # Internal IPv4 addresses inside IPv6 forms.
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
        ("2002:a9fe:a9fe::1", False),  # 6to4 of 169.254.169.254
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("64:ff9b:1::808:808", False),  # NAT64 for local use, whatever is inside
        ("::a00:1", False),  # IPv4-compatible 10.0.0.1
        ("::7f00:1", False),  # IPv4-compatible 127.0.0.1
        ("::a9fe:a9fe", False),  # IPv4-compatible 169.254.169.254
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
        ("2001::1", False),
    ],
)
def test_the_address_check(address, allowed):
    assert fetching._allowed(address, allow_loopback=False) is allowed


def test_loopback_is_allowed_in_development_only_as_itself():
    assert fetching._allowed("127.0.0.1", allow_loopback=True)
    assert fetching._allowed("::1", allow_loopback=True)
    assert fetching._allowed("::ffff:127.0.0.1", allow_loopback=True)
    # Tunnelled, it is not this machine: someone else's relay decides where it goes.
    assert not fetching._allowed("2002:7f00:1::", allow_loopback=True)
    assert not fetching._allowed("64:ff9b::7f00:1", allow_loopback=True)
    assert not fetching._allowed("::7f00:1", allow_loopback=True)
    assert not fetching._allowed("10.0.0.1", allow_loopback=True)


def test_inside_the_guard_a_refused_address_is_never_connected_to():
    # A listener on loopback: the kernel accepts connections into its backlog by itself.
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with (
            Connections() as tried,
            fetching.outgoing(allow_loopback=False),
            pytest.raises(fetching.RefusedConnection),
        ):
            socket.create_connection(("127.0.0.1", port), timeout=2)
        assert tried.addresses == []

        # The same connection is made outside the guard, and inside it when loopback is allowed.
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        with fetching.outgoing(allow_loopback=True):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        # The guard belongs to the thread that reads: other threads (other requests) are not held to it.
        outcome = []
        with fetching.outgoing(allow_loopback=False):
            other = threading.Thread(
                target=lambda: outcome.append(socket.create_connection(("127.0.0.1", port), timeout=2).close())
            )
            other.start()
            other.join()
        assert outcome == [None]


# The addresses a redirect points at. With loopback allowed for the first hop (the test server),
# a tunnelled loopback address is still refused.
REFUSED = {
    "metadata": ("169.254.169.254", "http://169.254.169.254/latest/meta-data/"),
    "private": ("10.0.0.1", "http://10.0.0.1/dav/"),
    "6to4-loopback": ("2002:7f00:1::", "http://[2002:7f00:1::]:{port}/dav/"),
    "6to4-private": ("2002:a00:1::", "http://[2002:a00:1::]/dav/"),
    "nat64-private": ("64:ff9b::a00:1", "http://[64:ff9b::a00:1]/dav/"),
    "ula": ("fd00::1", "http://[fd00::1]/dav/"),
}


@pytest.mark.parametrize("target", REFUSED.values(), ids=REFUSED.keys())
def test_a_caldav_server_that_redirects_inside_the_network_is_never_followed_there(site, ics_server, target):
    refused, location = target
    port = ics_server.url.rsplit(":", 1)[1]
    ics_server.routes["/dav/"] = Route(status=301, headers={"Location": location.format(port=port)})
    source = caldav_source(ics_server.url + "/dav/")
    with Connections() as tried:
        assert calendarsync.sync_source(source, now=timezone.now()) == "failed"
    assert refused not in tried.hosts()
    assert "127.0.0.1" in tried.hosts()  # the first hop was made, and recorded
    source.refresh_from_db()
    assert "intern netwerk" in source.last_error


@pytest.mark.parametrize("target", REFUSED.values(), ids=REFUSED.keys())
def test_an_ics_address_that_redirects_inside_the_network_is_never_followed_there(site, ics_server, target):
    first = free_slots("online")[0]
    ics_server.routes["/agenda.ics"] = Route(body=ics_with((first.start, first.end)))
    source = ics_source(ics_server.url + "/agenda.ics")
    assert calendarsync.sync_source(source, now=timezone.now()) == "read"

    refused, location = target
    port = ics_server.url.rsplit(":", 1)[1]
    ics_server.routes["/agenda.ics"] = Route(status=302, headers={"Location": location.format(port=port)})
    source.refresh_from_db()
    with Connections() as tried:
        assert calendarsync.sync_source(source, now=timezone.now()) == "failed"
    assert refused not in tried.hosts() and "127.0.0.1" in tried.hosts()
    source.refresh_from_db()
    assert "intern netwerk" in source.last_error
    assert BusyPeriod.objects.count() == 1  # the last good periods keep counting


def test_writing_an_intake_into_her_calendar_never_follows_a_redirect_inside_the_network(site, ics_server):
    ics_server.routes["/dav/"] = Route(status=301, headers={"Location": "http://169.254.169.254/dav/"})
    caldav_source(ics_server.url + "/dav/", write_intakes=True)
    with Connections() as tried:
        booking = book(email="anna@example.com")
    assert booking.pk  # the booking itself is made, whatever her server does
    write = OutgoingEmail.objects.get(kind="own_calendar")
    assert write.sent_at is None and write.last_error == "FetchError"  # kept, tried again later
    assert "169.254.169.254" not in tried.hosts() and "127.0.0.1" in tried.hosts()


def test_a_caldav_answer_over_10_mb_is_not_read(site, ics_server):
    ics_server.routes["/dav/"] = Route(size=60 * 1024 * 1024, headers={"Content-Type": "text/xml"})
    source = caldav_source(ics_server.url + "/dav/")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert calendarsync.sync_source(source, now=timezone.now()) == "failed"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    source.refresh_from_db()
    assert "te groot" in source.last_error
    assert grown_mb < 40
