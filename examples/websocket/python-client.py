"""A Python client for mockwave's guide dialect, with websocket-client (Debian: python3-websocket).

    python3 examples/websocket/python-client.py [url] [events]

Subscribes to `ticker`, pings, prints what arrives, and exits after [events] ticker events (default 5).
"""
import json
import sys

import websocket

url = sys.argv[1] if len(sys.argv) > 1 else "ws://localhost:3000/ws"
wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 5
events = 0


def on_open(ws):
    ws.send(json.dumps({"type": "subscribe", "event": "ticker"}))
    ws.send(json.dumps({"type": "ping"}))


def on_message(ws, raw):
    global events
    message = json.loads(raw)
    if message["type"] == "event":
        events += 1
        print(f"event {message['name']}: {json.dumps(message['data'])}", flush=True)
        if events >= wanted:
            ws.close()
    else:
        print(message["type"], flush=True)


def on_error(ws, error):
    print(f"error: {error}", file=sys.stderr, flush=True)


app = websocket.WebSocketApp(url, on_open=on_open, on_message=on_message, on_error=on_error)
app.run_forever()
sys.exit(0 if events >= wanted else 1)
