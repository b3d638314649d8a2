"""The stand-in for the therapist's photo in the initial content.

Drawn here, so the project ships no photo from elsewhere; it says on itself that
it is a placeholder, and its description says so to a screen reader too.
"""

import io
import uuid

from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from .models import Image

ALT_TEXT = "Tijdelijke tekening in plaats van een foto van de therapeut"
CAPTION = "Tijdelijke afbeelding: vervang deze in het beheer door een foto van uzelf."
WIDTH, HEIGHT = 960, 1200
BACKGROUND = (236, 229, 218)
FIGURE = (162, 178, 160)
TEXT = (64, 70, 62)


def draw() -> bytes:
    picture = PILImage.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    pen = ImageDraw.Draw(picture)
    # A soft silhouette: a head and shoulders, nobody in particular.
    pen.ellipse((WIDTH / 2 - 150, 260, WIDTH / 2 + 150, 560), fill=FIGURE)
    pen.rounded_rectangle((WIDTH / 2 - 300, 620, WIDTH / 2 + 300, 1100), radius=220, fill=FIGURE)
    font = ImageFont.load_default(size=44)
    for line, top in (("Tijdelijke afbeelding", 90), ("vervang door uw eigen foto", 150)):
        box = pen.textbbox((0, 0), line, font=font)
        pen.text(((WIDTH - (box[2] - box[0])) / 2, top), line, fill=TEXT, font=font)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue()


def create() -> Image:
    return Image.objects.create(
        file=ContentFile(draw(), name=f"tijdelijk-{uuid.uuid4().hex[:12]}.jpg"),
        alt_text=ALT_TEXT,
        caption=CAPTION,
    )
