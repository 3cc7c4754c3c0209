"""The failure notice (pipelines/notices.py): the file the office routes, and the mail when
addresses are configured, received here by a minimal SMTP server on localhost."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes, policy

from pipelines.core.settings import NoticeSettings, Settings
from pipelines.notices import FailedRun, write_notice

RUN = FailedRun("d67845b9-f9df", "2026-12-02", "nightly",
                [("publish__published_marts", "[Errno 20] Not a directory: '/srv/marts/.docs'")])


class SMTP(socketserver.StreamRequestHandler):
    received: list[bytes] = []

    def handle(self) -> None:
        self.wfile.write(b"220 test\r\n")
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                SMTP.received.append(data)
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            self.wfile.write(b"250 ok\r\n")


def test_a_notice_names_the_night_the_run_and_the_failed_step(tmp_path):
    path = write_notice(RUN, tmp_path / "notices", NoticeSettings())
    assert path == tmp_path / "notices" / "2026-12-02_d67845b9-f9df_failed.txt"
    assert path.read_text(encoding="utf-8").splitlines()[:4] == [
        "povmon：2026-12-02 夜间运行失败 / the night's run FAILED",
        "job nightly, run d67845b9-f9df", "failed steps:",
        "  - publish__published_marts: [Errno 20] Not a directory: '/srv/marts/.docs'"]


def test_the_notice_is_mailed_when_addresses_are_configured(tmp_path):
    with socketserver.TCPServer(("127.0.0.1", 0), SMTP) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        write_notice(RUN, tmp_path, Settings.from_env({
            "POVMON_NOTICE_MAIL_TO": "duty@example.gov.cn, it@example.gov.cn",
            "POVMON_SMTP_HOST": f"127.0.0.1:{server.server_address[1]}"}).notices)
        server.shutdown()
    [raw] = SMTP.received
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["To"] == "duty@example.gov.cn, it@example.gov.cn"
    assert mail["Subject"] == "povmon: 2026-12-02 夜间运行失败 (run d67845b9)"
    assert "publish__published_marts: [Errno 20] Not a directory" in mail.get_content()
