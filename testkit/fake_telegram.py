"""A local fake of the Telegram Bot API, spoken to over real HTTP.

The real python-telegram-bot Application talks to it through `base_url`, so the
tests exercise the same requests a real deployment sends. It implements the
methods the bot uses, keeps the chats' messages so tests can see what was
deleted, records every request, and can be told to fail the next call of a
method (429 with retry_after, 502, ...) or to leave one call unanswered.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from aiohttp import web

BOT = {"id": 4242, "is_bot": True, "first_name": "Safe Harbor", "username": "safe_harbor_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class Person:
    """A Telegram user writing to the bot from a private chat."""

    id: int
    first_name: str = "Test"
    username: Optional[str] = None
    language_code: Optional[str] = "en"

    def as_user(self) -> Dict[str, Any]:
        user = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


@dataclass
class FakeTelegram:
    token: str = "123456:TEST-token"
    requests: List[Tuple[str, Dict[str, Any]]] = field(default_factory=list)
    chats: Dict[int, Dict[int, Dict[str, Any]]] = field(default_factory=dict)
    commands: Dict[Optional[str], List[Dict[str, str]]] = field(default_factory=dict)
    failures: Dict[str, List[Tuple[int, Dict[str, Any]]]] = field(default_factory=dict)
    topics: Dict[int, Dict[str, Any]] = field(default_factory=dict)
    members: set = field(default_factory=set)
    admins: set = field(default_factory=set)
    restricted: set = field(default_factory=set)
    blocked: set = field(default_factory=set)  # chats whose person blocked the bot

    def __post_init__(self) -> None:
        self.updates: asyncio.Queue = asyncio.Queue()
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1)
        self.changed = asyncio.Condition()
        self.runner: Optional[web.AppRunner] = None
        self.port = 0
        self.deliveries: List[asyncio.Task] = []
        self.delivered: List[Dict[str, Any]] = []  # updates the webhook answered 200, in that order
        self.delivery_failures = 0  # deliveries not answered 200 (then retried)
        self.stalling: Dict[str, int] = {}  # method → calls still to answer before one is never answered
        self.stalled: List[Tuple[str, Dict[str, Any]]] = []
        self.held: Dict[str, asyncio.Event] = {}  # method → released when Telegram takes its calls again

    # --- webhook delivery ---------------------------------------------------
    def deliver_to(self, url: str, secret: str, connections: int = 8, retry_seconds: float = 0.2) -> None:
        """Deliver updates by webhook to `url`, as Telegram does once a webhook is set: up to
        `connections` at once, each retried until it is answered 200 (a replica gone, a
        proxy error)."""
        import aiohttp

        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

        async def worker() -> None:
            while True:
                update = await self.updates.get()
                while True:
                    try:
                        async with session.post(url, json=update,
                                                headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as answer:
                            if answer.status == 200:
                                self.delivered.append(update)
                                break
                    except (aiohttp.ClientError, asyncio.TimeoutError):
                        pass
                    self.delivery_failures += 1
                    await asyncio.sleep(retry_seconds)

        async def close_session() -> None:
            try:
                await asyncio.Event().wait()
            finally:
                await session.close()

        self.deliveries = [asyncio.create_task(worker()) for _ in range(connections)]
        self.deliveries.append(asyncio.create_task(close_session()))

    def redeliver(self, update: Dict[str, Any]) -> None:
        """Telegram sends an update again (it saw no answer in time)."""
        self.updates.put_nowait(update)

    # --- server -----------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self.dispatch)
        # A bot that hangs up on a long poll (it is stopping) ends that request here too.
        self.runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{self.port}/bot"

    async def stop(self) -> None:
        for task in self.deliveries:
            task.cancel()
        await asyncio.gather(*self.deliveries, return_exceptions=True)
        if self.runner:
            await self.runner.cleanup()

    async def dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self.parameters(request)
        self.requests.append((method, params))
        if method in self.stalling:
            await self.stall(method)
        if method in self.held:
            await self.held[method].wait()
            if request.transport is None or request.transport.is_closing():
                return web.Response(status=499)  # its caller died waiting: never taken
        if self.failures.get(method):
            status, body = self.failures[method].pop(0)
            return web.json_response(body, status=status)
        if method in ("sendMessage", "copyMessage") and int(params.get("chat_id", 0)) in self.blocked:
            return web.json_response({"ok": False, "error_code": 403,
                                      "description": "Forbidden: bot was blocked by the user"}, status=403)
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        result = await handler(params)
        async with self.changed:
            self.changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    async def parameters(request: web.Request) -> Dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        params = {}
        for key, value in (await request.post()).items():
            try:
                params[key] = json.loads(value)
            except (TypeError, ValueError):
                params[key] = value
        return params

    # --- Bot API methods ----------------------------------------------------
    async def api_getMe(self, params):
        return BOT

    async def api_deleteWebhook(self, params):
        return True

    async def api_setWebhook(self, params):
        return True

    async def api_setMyCommands(self, params):
        scope = params.get("scope") or {}
        key = f"chat:{scope['chat_id']}" if scope.get("chat_id") else params.get("language_code")
        self.commands[key] = params["commands"]
        return True

    async def api_getUpdates(self, params):
        offset, timeout = int(params.get("offset") or 0), min(float(params.get("timeout") or 0), 0.5)
        pending = []
        try:
            pending.append(await asyncio.wait_for(self.updates.get(), timeout=max(timeout, 0.01)))
            while not self.updates.empty():
                pending.append(self.updates.get_nowait())
        except asyncio.TimeoutError:
            pass
        return [u for u in pending if u["update_id"] >= offset]

    async def api_sendMessage(self, params):
        chat_id = int(params["chat_id"])
        message = self.new_message(chat_id, BOT, text=str(params["text"]))
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        message["disable_notification"] = params.get("disable_notification", False)
        message.update(self.threading(params))
        return message

    async def api_sendChatAction(self, params):
        return True

    async def api_answerCallbackQuery(self, params):
        return True

    async def api_editMessageReplyMarkup(self, params):
        message = self.chats.get(int(params["chat_id"]), {}).get(int(params["message_id"]))
        if message is None:
            raise web.HTTPBadRequest()
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    async def api_deleteMessages(self, params):
        chat = self.chats.get(int(params["chat_id"]), {})
        ids = params["message_ids"]
        if not 1 <= len(ids) <= 100:
            raise web.HTTPBadRequest()
        for message_id in ids:
            chat.pop(int(message_id), None)
        return True

    async def api_deleteMessage(self, params):
        self.chats.get(int(params["chat_id"]), {}).pop(int(params["message_id"]), None)
        return True

    async def api_copyMessage(self, params):
        source = self.chats.get(int(params["from_chat_id"]), {}).get(int(params["message_id"]))
        if source is None:
            raise web.HTTPBadRequest()
        content = {k: v for k, v in source.items()
                   if k in ("text", "photo", "caption", "sticker", "voice", "contact", "location", "venue", "document")}
        copy = self.new_message(int(params["chat_id"]), BOT, **content)
        copy.update(self.threading(params))
        return {"message_id": copy["message_id"]}

    async def api_editMessageText(self, params):
        message = self.chats.get(int(params["chat_id"]), {}).get(int(params["message_id"]))
        if message is None:
            raise web.HTTPBadRequest()
        message["text"] = str(params["text"])
        message.pop("reply_markup", None)
        return message

    async def api_createForumTopic(self, params):
        topic = next(self.message_ids)
        self.topics[topic] = {"name": params["name"], "closed": False}
        return {"message_thread_id": topic, "name": params["name"], "icon_color": 7322096}

    async def api_closeForumTopic(self, params):
        self.topics[int(params["message_thread_id"])]["closed"] = True
        return True

    async def api_deleteForumTopic(self, params):
        """The topic goes, with every message in it."""
        topic = int(params["message_thread_id"])
        if self.topics.pop(topic, None) is None:
            raise web.HTTPBadRequest(text='{"ok": false, "error_code": 400, "description": "Bad Request: topic not found"}',
                                     content_type="application/json")
        chat = self.chats.get(int(params["chat_id"]), {})
        for message_id in [m for m, message in chat.items() if message.get("message_thread_id") == topic]:
            del chat[message_id]
        return True

    async def api_getChatMember(self, params):
        user_id = int(params["user_id"])
        status = ("administrator" if user_id in self.admins else "restricted" if user_id in self.restricted
                  else "member" if user_id in self.members else "left")
        if status == "administrator":
            return {"status": status, "user": {"id": user_id, "is_bot": False, "first_name": "Someone"},
                    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                    "can_delete_messages": True, "can_manage_video_chats": True, "can_restrict_members": True,
                    "can_promote_members": False, "can_change_info": True, "can_invite_users": True,
                    "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False}
        if status == "restricted":
            return {"status": status, "user": {"id": user_id, "is_bot": False, "first_name": "Someone"},
                    "is_member": True, "can_send_messages": True, "can_send_audios": False,
                    "can_send_documents": False, "can_send_photos": False, "can_send_videos": False,
                    "can_send_video_notes": False, "can_send_voice_notes": False, "can_send_polls": False,
                    "can_send_other_messages": False, "can_add_web_page_previews": False, "can_change_info": False,
                    "can_invite_users": False, "can_pin_messages": False, "can_manage_topics": False,
                    "can_edit_tag": False, "can_react_to_messages": True, "until_date": 0}
        return {"status": status, "user": {"id": user_id, "is_bot": False, "first_name": "Someone"}}

    @staticmethod
    def threading(params) -> Dict[str, Any]:
        """Where a sent message lands: its topic and what it replies to."""
        place: Dict[str, Any] = {}
        if params.get("message_thread_id"):
            place["message_thread_id"] = int(params["message_thread_id"])
        reply = params.get("reply_parameters") or {}
        if reply.get("message_id"):
            place["reply_to_message_id"] = int(reply["message_id"])
        return place

    # --- what tests do ------------------------------------------------------
    def new_message(self, chat_id: int, sender: Dict[str, Any], chat_type: Optional[str] = None,
                    **content) -> Dict[str, Any]:
        chat_type = chat_type or ("supergroup" if chat_id < 0 else "private")
        message = {"message_id": next(self.message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": chat_type}, "from": sender, **content}
        self.chats.setdefault(chat_id, {})[message["message_id"]] = message
        return message

    def push(self, update: Dict[str, Any]) -> Dict[str, Any]:
        update["update_id"] = next(self.update_ids)
        self.updates.put_nowait(update)
        return update

    def say(self, person: Person, text: str, chat_type: Optional[str] = None, chat_id: Optional[int] = None, **extra) -> Dict[str, Any]:
        """The person sends a message (text, or other content given in `extra`)."""
        content = {"text": text} if text is not None else {}
        message = self.new_message(chat_id or person.id, person.as_user(), chat_type, **content, **extra)
        if text is not None and text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        self.push({"message": message})
        return message

    def post(self, person: Person, group_id: int, topic: Optional[int], text: Optional[str] = None,
             reply_to: Optional[Dict[str, Any]] = None, **extra) -> Dict[str, Any]:
        """`person` writes in a supergroup, inside forum topic `topic` (or the general one)."""
        content = {"text": text} if text is not None else {}
        if text is not None and text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        message = self.new_message(group_id, person.as_user(), "supergroup", **content, **extra)
        message["chat"]["is_forum"] = True
        if topic:
            message.update(message_thread_id=topic, is_topic_message=True)
        if reply_to:
            message["reply_to_message"] = reply_to
        self.push({"message": message})
        return message

    def edit(self, person: Person, message: Dict[str, Any], text: str) -> None:
        edited = {**message, "text": text, "edit_date": int(time.time())}
        self.push({"edited_message": edited})

    def press(self, person: Person, message: Dict[str, Any], data: str) -> None:
        """The person taps a button with `data` on `message` (forged if not offered)."""
        self.push({"callback_query": {"id": str(next(self.update_ids)), "from": person.as_user(),
                                      "chat_instance": "1", "message": message, "data": data}})

    def texts_in(self, chat_id: int) -> List[str]:
        """Every message still in a chat, as its text or caption (or its kind), oldest first."""
        return [m.get("text") or m.get("caption") or next(k for k in ("photo", "sticker", "voice") if k in m)
                for _, m in sorted(self.chats.get(chat_id, {}).items())]

    def bot_messages(self, chat_id: int) -> List[Dict[str, Any]]:
        """Messages from the bot still present in the chat, oldest first."""
        return [m for _, m in sorted(self.chats.get(chat_id, {}).items()) if m["from"]["id"] == BOT["id"]]

    def calls(self, method: str) -> List[Dict[str, Any]]:
        return [params for name, params in self.requests if name == method]

    def fail_next(self, method: str, status: int, description: str, retry_after: Optional[int] = None) -> None:
        body: Dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self.failures.setdefault(method, []).append((status, body))

    def stall_call(self, method: str, number: int = 1) -> None:
        """The `number`-th call of `method` from now is never answered (its caller is about to
        die): it is recorded in `stalled`, and it does nothing."""
        self.stalling[method] = number

    def hold(self, method: str) -> None:
        """Telegram takes no `method` call until `release`: each waits, and one whose caller
        dies meanwhile is never taken (a crash at a moment the sender knows where it stands)."""
        self.held.setdefault(method, asyncio.Event())

    def release(self, method: str) -> None:
        self.held.pop(method).set()

    async def stall(self, method: str) -> None:
        self.stalling[method] -= 1
        if self.stalling[method]:
            return
        del self.stalling[method]
        self.stalled.append((method, self.requests[-1][1]))
        async with self.changed:
            self.changed.notify_all()
        await asyncio.Event().wait()  # until the caller hangs up (the handler is cancelled then)

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 15.0) -> Any:
        """Wait until `condition()` is truthy (checked after every request)."""
        deadline = asyncio.get_running_loop().time() + timeout
        async with self.changed:
            while not (result := condition()):
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    raise AssertionError(f"timed out waiting; last requests: {self.requests[-5:]}")
                try:
                    await asyncio.wait_for(self.changed.wait(), remaining)
                except asyncio.TimeoutError:
                    pass
            return result
