"""The Telegram adapter: the only package that imports `telegram`.

app.py builds the python-telegram-bot Application (polling or webhook, command
menus, background loops, shutdown); survivors.py handles private chats;
advocates.py the advocates' group; messenger.py sends (retries, keyboards,
splitting, deleting); order.py keeps each chat's updates in order.
"""
