"""The assistant's background work."""

from celery import shared_task

from .services.conversations import conversation_post_support_reply


@shared_task(name="assistant.support_reply_to_chat", queue="default", acks_late=True)
def support_reply_to_chat(reply_id: int) -> None:
    """A support reply appears in the rep's chat panel (sent by support after the reply commits)."""
    conversation_post_support_reply(reply_id=reply_id)
