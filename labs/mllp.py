"""MLLP listener for HL7 v2 ORU^R01 (docs/LAB_IMPORT.md "MLLP listener"): each frame
(<VT> message <FS><CR>) is staged as its own batch and answered with an ACK — AA when staged
(or already received: a resend changes nothing), AR when the message is refused (malformed, wrong
type or version), AE when staging failed for another reason."""
from __future__ import annotations

import logging
import socketserver

from django.db import close_old_connections, connections

from labs.parsers import hl7v2
from labs.services.staging import stage_bytes

START, END = b"\x0b", b"\x1c\x0d"
MAX_FRAME = 1024 * 1024
log = logging.getLogger(__name__)


def handle_message(text: str, *, user, sites) -> str:
    """Stage one message; the ACK to send back."""
    messages = list(hl7v2.read_hl7(text))
    message = messages[0] if messages else hl7v2.Message(number=1, error="empty frame")
    if message.error or len(messages) != 1:
        return hl7v2.ack(message, "AR", message.error or "one message per MLLP frame")
    try:
        name = f"MLLP {message.control_id}"
        summary = stage_bytes(text.encode("utf-8"), filename=name, user=user, sites=sites, fmt="hl7", source="mllp")
    except Exception as e:  # the sender must hear of any failure, and may resend
        log.exception("MLLP staging failed")
        return hl7v2.ack(message, "AE", f"staging failed: {type(e).__name__}")
    if summary["status"] == "refused":
        return hl7v2.ack(message, "AR", summary["error"])
    note = "already received" if summary["repeat_of_earlier_import"] else f"staged in batch #{summary['batch']}"
    return hl7v2.ack(message, "AA", note)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            self._frames()
        finally:
            connections.close_all()  # this thread's database connection ends with the client's

    def _frames(self):
        buffer = b""
        while True:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            buffer += chunk
            if len(buffer) > MAX_FRAME:
                self.request.sendall(START + hl7v2.ack(hl7v2.Message(number=1), "AR", "frame too large").encode() + END)
                return
            while END in buffer:
                frame, buffer = buffer.split(END, 1)
                frame = frame[frame.find(START) + 1:] if START in frame else frame
                close_old_connections()
                try:
                    text = frame.decode("utf-8")
                except UnicodeDecodeError:
                    text = frame.decode("gb18030", errors="replace")
                reply = handle_message(text, user=self.server.user, sites=self.server.sites)
                self.request.sendall(START + reply.encode("utf-8") + END)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address, *, user, sites):
        self.user, self.sites = user, sites
        super().__init__(address, Handler)
