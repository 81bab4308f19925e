"""WebSocket peer for EventFlux's connector tests, built on Python's `websockets` package (not on
tokio-tungstenite), so the tests prove interoperability.

server --port P --dir D [--start K --count N] [--gzip] [--tls-cert PEM --tls-key PEM]
    /feed : records the handshake (path, headers, subprotocol) to D/handshakes.jsonl, waits for
            the subscribe message (appended to D/subscribes.txt), then sends trades K..K+N-1
            (with --gzip, odd ids as gzip-compressed binary frames) and stays open.
    /sink : appends every message received to D/received.txt, one per line ("b:" marks binary).
client --url U [--header K:V] [--send MSG ...] [--expect N] [--out FILE]
    sends the messages, then (with --expect) writes N received messages to FILE, one per line.
Prints READY on stdout once listening or connected.
"""
import argparse
import asyncio
import gzip
import json
import os
import sys


def trade(i):
    return json.dumps({"id": i, "symbol": ["IBM", "WSO2", "ORCL"][i % 3], "price": float(i)})


async def serve_forever(args):
    from websockets.asyncio.server import serve

    def path_of(ws):
        return ws.request.path

    async def handler(ws):
        path = path_of(ws)
        if path.startswith("/feed"):
            with open(os.path.join(args.dir, "handshakes.jsonl"), "a") as f:
                f.write(json.dumps({
                    "path": path,
                    "headers": {k.lower(): v for k, v in ws.request.headers.raw_items()},
                    "subprotocol": ws.subprotocol,
                }) + "\n")
            subscribe = await ws.recv()
            with open(os.path.join(args.dir, "subscribes.txt"), "a") as f:
                f.write(subscribe + "\n")
            for i in range(args.start, args.start + args.count):
                if args.gzip and i % 2 == 1:
                    await ws.send(gzip.compress(trade(i).encode()))
                else:
                    await ws.send(trade(i))
            await ws.wait_closed()
        elif path.startswith("/sink"):
            with open(os.path.join(args.dir, "received.txt"), "a") as f:
                async for message in ws:
                    if isinstance(message, bytes):
                        f.write("b:" + message.decode() + "\n")
                    else:
                        f.write(message + "\n")
                    f.flush()

    def select_subprotocol(connection, offered):
        # Accept ours when offered; clients that offer none connect without one.
        return "eventflux.v1" if "eventflux.v1" in offered else None

    ssl_context = None
    if args.tls_cert:
        import ssl
        ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ssl_context.load_cert_chain(args.tls_cert, args.tls_key)

    async with serve(handler, "127.0.0.1", args.port, select_subprotocol=select_subprotocol, ssl=ssl_context):
        print("READY", flush=True)
        await asyncio.Future()


async def client(args):
    from websockets.asyncio.client import connect

    headers = [tuple(h.split(":", 1)) for h in args.header]
    async with connect(args.url, additional_headers=headers) as ws:
        print("READY", flush=True)
        for m in args.send:
            await ws.send(m)
        if args.expect:
            with open(args.out, "w") as f:
                for _ in range(args.expect):
                    message = await ws.recv()
                    if isinstance(message, bytes):
                        message = "b:" + message.decode()
                    f.write(message + "\n")
                    f.flush()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("--port", type=int)
    p.add_argument("--dir")
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--gzip", action="store_true")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--url")
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--send", action="append", default=[])
    p.add_argument("--expect", type=int, default=0)
    p.add_argument("--out")
    args = p.parse_args()
    try:
        asyncio.run(serve_forever(args) if args.mode == "server" else client(args))
    except Exception as e:  # the test reads stderr
        print(f"ws_peer: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
