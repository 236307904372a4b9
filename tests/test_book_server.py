"""The book server: a reader who closes the page mid-transfer leaves no traceback behind."""

from __future__ import annotations

import socket
import struct
import threading

from peercare.serving.serve import book_server


def test_a_closed_connection_prints_no_traceback(tmp_path, capfd):
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>")
    (tmp_path / "big.bin").write_bytes(b"\0" * 20_000_000)  # not gzipped: streamed
    server = book_server(tmp_path, 0)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                assert sock.recv(1024).startswith(b"HTTP/1.0 200")
                # close with a reset, as a phone leaving the page does
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with socket.create_connection(("127.0.0.1", port)) as sock:  # still serving
            sock.sendall(b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert sock.recv(1024).startswith(b"HTTP/1.0 200")
    finally:
        server.shutdown()
        server.server_close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err
