"""The advocates' groups: Take/Pass on case cards, messages and edits in case topics,
and the /end, /queue and /name commands. The handoff checks membership."""

from __future__ import annotations

from typing import List, Optional, Text

from telegram import CallbackQuery, Message, Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.handoff import PASS, TAKE, Handoffs
from bot.telegram.messenger import with_retries
from bot.texts import text


def author(message: Message) -> Optional[int]:
    """The account that wrote it; None when it was posted as the group (an anonymous admin)
    or as a channel: the survivor must know who they talk to."""
    if message.sender_chat is not None or message.from_user is None:
        return None
    return message.from_user.id


def topic_of(message: Message) -> Optional[int]:
    return message.message_thread_id if message.is_topic_message else None


class Advocates:
    """Handlers for the advocates' supergroup (one forum topic per case)."""

    def __init__(self, handoff: Handoffs, advocate_language: Text) -> None:
        self.handoff = handoff
        self.language = advocate_language

    def handlers(self) -> List[BaseHandler]:
        group = filters.Chat(list(self.handoff.groups.ids))
        new, edited = filters.UpdateType.MESSAGE, filters.UpdateType.EDITED_MESSAGE
        return [
            CommandHandler("end", self.on_end, filters=group & new),
            CommandHandler("reassign", self.on_reassign, filters=group & new),
            CommandHandler("queue", self.on_queue, filters=group & new),
            CommandHandler("name", self.on_name, filters=group & new),
            MessageHandler(group & edited & filters.TEXT, self.on_edited),
            MessageHandler(group & new & ~filters.COMMAND & ~filters.StatusUpdate.ALL, self.on_message),
        ]

    async def on_button(self, query: CallbackQuery) -> None:
        """Take or Pass on a case card (app.py checked the button was offered here)."""
        user = query.from_user.id
        if query.data.startswith(TAKE):
            answer = await self.handoff.take(query.data[len(TAKE):], user)
        elif query.data.startswith(PASS):
            answer = await self.handoff.pass_case(query.data[len(PASS):], user)
        else:
            answer = text("button_expired", self.language)
        await with_retries(lambda: query.answer(answer, show_alert=True))

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Only messages inside a case's topic, from the advocate who has the case, go to that
        case's survivor; anyone else there gets a short answer in the topic."""
        message = update.effective_message
        if message.is_topic_message and message.message_thread_id:
            reply = message.reply_to_message
            reply_to = reply.message_id if reply and reply.message_id != message.message_thread_id else None
            refusal = await self.handoff.from_advocate(message.chat_id, message.message_thread_id,
                                                       message.message_id, reply_to, author(message))
            if refusal:
                await self.answer(update, refusal)

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message.is_topic_message and message.message_thread_id:
            await self.handoff.advocate_edited(message.chat_id, message.message_thread_id, message.message_id,
                                               message.text, author(message))

    async def on_end(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        await self.answer(update, await self.handoff.end(message.chat_id, topic_of(message), author(message)))

    async def on_reassign(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/reassign, by an admin, in reply to a message of the advocate who should have the case."""
        message = update.effective_message
        reply = message.reply_to_message
        to = (author(reply) if reply and reply.message_id != message.message_thread_id
              and not (reply.from_user and reply.from_user.is_bot) else None)  # never to the bot itself
        await self.answer(update, await self.handoff.reassign(message.chat_id, topic_of(message), author(message), to))

    async def on_queue(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.answer(update, await self.handoff.queue())

    async def on_name(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.answer(update, await self.handoff.set_name(update.effective_user.id, " ".join(context.args or [])))

    @staticmethod
    async def answer(update: Update, answer: Text) -> None:
        """Answer where the command was written (its topic, or the general one)."""
        message = update.effective_message
        await with_retries(lambda: message.get_bot().send_message(
            message.chat_id, answer, message_thread_id=message.message_thread_id if message.is_topic_message else None))
