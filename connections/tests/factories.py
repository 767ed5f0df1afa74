import factory
from factory.django import DjangoModelFactory

from users.tests.factories import UserFactory

from ..models import CalendarConnection, MailboxConnection


class MailboxConnectionFactory(DjangoModelFactory):
    class Meta:
        model = MailboxConnection

    owner = factory.SubFactory(UserFactory)
    name = "Work mail"
    host = "127.0.0.1"
    port = 143
    security = MailboxConnection.Security.NONE
    username = "vince"
    password = "s3cret-Enron"


class CalendarConnectionFactory(DjangoModelFactory):
    class Meta:
        model = CalendarConnection

    owner = factory.SubFactory(UserFactory)
    name = "Work calendar"
    kind = CalendarConnection.Kind.CALDAV
    url = "http://127.0.0.1:5232/"
    username = "vince"
    password = "cal-s3cret"
