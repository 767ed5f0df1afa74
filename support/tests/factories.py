import datetime as dt

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory

from support.models import HelpArticle, SupportRequest
from users.tests.factories import UserFactory

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG_HEADER = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
GIF_HEADER = b"GIF89a\x01\x00\x01\x00"
WEBP_HEADER = b"RIFF\x24\x00\x00\x00WEBPVP8 "


def screenshot(name: str = "screen.png", header: bytes = PNG_HEADER, size: int = 2_048) -> SimpleUploadedFile:
    """An upload whose first bytes are ``header``, padded to ``size`` bytes."""
    return SimpleUploadedFile(
        name, header + b"\x00" * max(size - len(header), 0), content_type="application/octet-stream"
    )


class HelpArticleFactory(DjangoModelFactory):
    class Meta:
        model = HelpArticle
        django_get_or_create = ["slug"]

    title = factory.Sequence(lambda n: f"How Backstory works, part {n}")
    slug = factory.Sequence(lambda n: f"how-backstory-works-{n}")
    topic = HelpArticle.Topic.BACKSTORY_PAGES
    summary = "What a Backstory page shows."
    body = "Backstory pages show key topics, next steps and risks."

    class Params:
        faq = factory.Trait(is_faq=True, position=50)


class SupportRequestFactory(DjangoModelFactory):
    class Meta:
        model = SupportRequest

    user = factory.SubFactory(UserFactory)
    description = "The engagement level is empty on Globex."
    created_at = NOW
    reference = factory.LazyAttributeSequence(lambda o, n: f"BST-{o.created_at.year}-{n + 1:06d}")
