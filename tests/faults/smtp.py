"""A local SMTP server the fault tests control: accept, refuse with 421, hang, hold the final 250,
or be stopped. Plain sockets and threads (no mail library): every message received is kept with
its recipient, Message-ID and arrival time, so a test can count copies as a receiver would."""
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes


@dataclass
class Received:
    rcpt: str
    message_id: str
    subject: str
    at: float


@dataclass
class SmtpServer:
    mode: str = "accept"  # accept | refuse (421 at greeting) | hang (never answer)
    hold_250: float = 0.0  # seconds to wait after the message before answering 250
    messages: list = field(default_factory=list)
    data_received: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    def __post_init__(self):
        self.lock = threading.Lock()
        self.server = None

    def start(self) -> "SmtpServer":
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                owner._session(self.rfile, self.wfile)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """The server goes away: connections are refused until start() again (same port)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def ids_by_rcpt(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        with self.lock:
            for m in self.messages:
                out.setdefault(m.rcpt, []).append(m.message_id)
        return out

    def _session(self, rfile, wfile) -> None:
        def say(line: str) -> None:
            wfile.write(line.encode() + b"\r\n")
            wfile.flush()

        if self.mode == "refuse":
            say("421 4.3.2 Service not available, try later")
            return
        if self.mode == "hang":
            end = time.time() + 120
            while self.mode == "hang" and time.time() < end:
                time.sleep(0.05)
            return
        say("220 faults.test ESMTP")
        rcpts = []
        while True:
            line = rfile.readline()
            if not line:
                return
            cmd = line.decode(errors="replace").strip().upper()
            if cmd.startswith("EHLO"):
                say("250-faults.test")
                say("250 8BITMIME")
            elif cmd.startswith("HELO") or cmd.startswith("NOOP") or cmd.startswith("RSET"):
                say("250 OK")
            elif cmd.startswith("MAIL"):
                rcpts = []
                say("250 OK")
            elif cmd.startswith("RCPT"):
                rcpts.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                say("250 OK")
            elif cmd == "DATA":
                say("354 go ahead")
                data = []
                while True:
                    chunk = rfile.readline()
                    if not chunk or chunk in (b".\r\n", b".\n"):
                        break
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                m = message_from_bytes(b"".join(data))
                with self.lock:
                    for r in rcpts:
                        self.messages.append(Received(r, m["Message-ID"], str(m["Subject"]), time.time()))
                self.data_received.set()
                if self.hold_250:
                    time.sleep(self.hold_250)
                say("250 OK queued")
            elif cmd.startswith("QUIT"):
                say("221 bye")
                return
            else:
                say("502 not implemented")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
