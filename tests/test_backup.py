"""A backup, a wipe, a restore: every page, booking and uploaded image is back."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from booking.models import Booking
from content.initial_content import load_initial_content
from content.models import Article, Page, PracticeDetails
from tests.booking.helpers import make_booking_directly


@pytest.fixture
def stored(transactional_db):
    load_initial_content()
    now = timezone.now()
    bookings = [make_booking_directly(now + timedelta(days=2, hours=n), email=f"c{n}@example.com") for n in range(5)]
    return {
        "pages": set(Page.objects.values_list("slug", "body")),
        "articles": set(Article.objects.values_list("slug", flat=True)),
        "bookings": {(b.uuid, b.email, b.start) for b in bookings},
    }


def test_backup_wipe_restore(stored, tmp_path):
    target = tmp_path / "backup.bin"
    call_command("backup", "--output", str(target))
    assert target.exists() and target.stat().st_size > 0
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    media = target.with_name("backup.bin.media.tar")
    assert oct(media.stat().st_mode & 0o777) == "0o600"
    photo = PracticeDetails.load().therapist_photo.file
    photo_bytes = Path(photo.path).read_bytes()

    shutil.rmtree(settings.MEDIA_ROOT)
    Booking.objects.all().delete()
    Article.objects.all().delete()
    Page.objects.all().delete()
    assert not Booking.objects.exists()

    call_command("restore", str(target), "--yes")

    assert set(Page.objects.values_list("slug", "body")) == stored["pages"]
    assert set(Article.objects.values_list("slug", flat=True)) == stored["articles"]
    assert {(b.uuid, b.email, b.start) for b in Booking.objects.all()} == stored["bookings"]
    assert Path(PracticeDetails.load().therapist_photo.file.path).read_bytes() == photo_bytes
    # The database still guards overlaps after a restore.
    first = Booking.objects.order_by("start").first()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_booking_directly(first.start + timedelta(minutes=5), email="overlap@example.com")


def test_a_backup_is_never_readable_by_others_while_it_is_written(stored, tmp_path):
    """Watches the file from the moment it appears until the backup is done, with the most
    permissive umask, so that only the code's own care keeps it private."""
    import contextlib
    import os
    import threading

    from booking.models import OutgoingEmail

    # Enough data that writing it takes a while.
    booking = Booking.objects.first()
    OutgoingEmail.objects.bulk_create(
        OutgoingEmail(booking=booking, kind="reminder", practice_message="x" * 2000) for _ in range(3000)
    )
    target = tmp_path / "backup.bin"
    modes, done = set(), threading.Event()

    def watch():
        while not done.is_set():
            with contextlib.suppress(FileNotFoundError):
                modes.add(os.stat(target).st_mode & 0o777)

    watcher = threading.Thread(target=watch)
    old_umask = os.umask(0)
    watcher.start()
    try:
        call_command("backup", "--output", str(target))
    finally:
        done.set()
        watcher.join()
        os.umask(old_umask)
    assert modes == {0o600}, [oct(mode) for mode in modes]
