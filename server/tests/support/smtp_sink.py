"""A real SMTP server for the test suite (aiosmtpd): every message it accepts is printed to
stdout as one JSON line; the first `--refuse N` messages are answered 451 (try again later).

    python smtp_sink.py PORT [--refuse N]

It prints {"ready": PORT} once it listens and stops when its standard input closes.
"""

import json
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, refuse):
        self.refuse = refuse

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        print(
            json.dumps(
                {
                    "from": envelope.mail_from,
                    "to": envelope.rcpt_tos,
                    "data": envelope.original_content.decode("utf-8", "replace"),
                }
            ),
            flush=True,
        )
        return "250 2.0.0 OK"


def main():
    port = int(sys.argv[1])
    refuse = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--refuse" else 0
    controller = Controller(Sink(refuse), hostname="127.0.0.1", port=port)
    controller.start()
    print(json.dumps({"ready": port}), flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
