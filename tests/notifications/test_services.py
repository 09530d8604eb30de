"""Notifications land in the in-application inbox once and reach a real SMTP server once."""

import smtplib
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from notifications.models import Notification
from notifications.services import notification_email, notification_send
from tests.factories import UserFactory


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.SITE_URL = "https://chengnuo.example.gov.cn"
    yield inbox
    controller.stop()


@pytest.mark.django_db
def test_same_key_notifies_once(django_capture_on_commit_callbacks):
    user = UserFactory(username="reg", email="reg@example.test")

    with django_capture_on_commit_callbacks() as callbacks:
        first = notification_send(recipient=user, key="k1", subject="S", body="B")
        second = notification_send(recipient=user, key="k1", subject="S again", body="B")

    assert first.pk == second.pk
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(callbacks) == 1  # one e-mail task, enqueued only after the commit


@pytest.mark.django_db
def test_email_is_delivered_to_a_real_smtp_server_once(smtp_server):
    user = UserFactory(username="reg", email="reg@example.test")
    notification = notification_send(
        recipient=user, key="k2", subject="待核查承诺", body="请核查。", link="/regulator/tasks/7/"
    )

    assert notification_email(notification_id=notification.pk) is True
    assert notification_email(notification_id=notification.pk) is False

    assert len(smtp_server.messages) == 1
    delivered = smtp_server.messages[0]
    assert delivered["To"] == "reg@example.test"
    body = delivered.get_payload(decode=True).decode()
    assert "https://chengnuo.example.gov.cn/regulator/tasks/7/" in body
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None


@pytest.mark.django_db
def test_smtp_server_down_leaves_the_notification_to_retry(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()  # nothing listens there
    user = UserFactory(username="reg", email="reg@example.test")
    notification = notification_send(recipient=user, key="k3", subject="S", body="B")

    with pytest.raises((ConnectionRefusedError, smtplib.SMTPException, OSError)):
        notification_email(notification_id=notification.pk)

    assert Notification.objects.get(pk=notification.pk).emailed_at is None
