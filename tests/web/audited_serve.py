"""Run `kazkg serve` with an audit hook (PEP 578) that records, in every process of the server
(the HTTP process, the zygote and every worker inherit it across fork), each attempt to open a
file, resolve a name, connect a socket, make a URL request or start a program.

    python audited_serve.py LOG serve ...

Each event is one JSON line in LOG, written with os.write (which raises no audit event).
"""

import json
import os
import sys

WATCHED = ("open", "urllib.Request", "socket.connect", "socket.getaddrinfo",
           "socket.gethostbyname", "http.client.connect", "subprocess.Popen", "os.system",
           "os.exec", "os.posix_spawn", "ftplib.connect", "smtplib.connect")


def main():
    log = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def hook(event, args):
        if event not in WATCHED:
            return
        shown = [a if isinstance(a, (str, int, float)) or a is None else repr(a)[:200]
                 for a in args[:3]]
        if event == "open" and isinstance(args[0], bytes):
            shown[0] = args[0].decode("utf-8", "replace")
        line = json.dumps({"event": event, "args": shown, "pid": os.getpid()}) + "\n"
        os.write(log, line.encode("utf-8"))

    sys.addaudithook(hook)
    from kazkg.cli import main as kazkg_main

    kazkg_main(sys.argv[2:])


if __name__ == "__main__":
    main()
