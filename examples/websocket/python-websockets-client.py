"""An asyncio client for mockwave's guide dialect, with websockets (Debian: python3-websockets).

    python3 examples/websocket/python-websockets-client.py [url] [events]

Subscribes to `ticker`, sends a request and a ping, and exits after [events] ticker events (default 5).
"""
import asyncio
import json
import sys

import websockets

url = sys.argv[1] if len(sys.argv) > 1 else "ws://localhost:3000/ws"
wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 5


async def main():
    events = 0
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "subscribe", "event": "ticker"}))
        await ws.send(json.dumps({"type": "request", "event": "ticker"}))
        await ws.send(json.dumps({"type": "ping"}))
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "event":
                events += 1
                print(f"event {message['name']}: {json.dumps(message['data'])}", flush=True)
                if events >= wanted:
                    break
            else:
                print(message["type"], flush=True)
    return 0 if events >= wanted else 1


sys.exit(asyncio.run(main()))
