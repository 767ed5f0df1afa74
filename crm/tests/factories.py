import factory
from factory.django import DjangoModelFactory

from crm.models import OutboxEntry, SyncCursor


class SyncCursorFactory(DjangoModelFactory):
    class Meta:
        model = SyncCursor

    object_name = factory.Sequence(lambda n: f"Object{n}")


class OutboxEntryFactory(DjangoModelFactory):
    class Meta:
        model = OutboxEntry

    object_name = "Contact"
    operation = OutboxEntry.Operation.UPSERT
    record_type = "contacts.contact"
    record_id = factory.Sequence(lambda n: n + 1)
    external_id = factory.Faker("uuid4")
    payload = factory.LazyAttribute(lambda o: {"LastName": "Buyer", "Email": "pat@acme.com"})
