"""Hostile servers for postura's robustness suite, one behaviour per port on one address.

    python3 hostile.py 127.0.0.33 CERT.pem KEY.pem

CERT and KEY are served on port 636 by a real TLS handshake: the test writes a certificate
whose names carry markup and terminal escapes.

Every behaviour ends by itself: streams stop after a bounded number of bytes or seconds, so a
scanner that does not protect itself takes long, but nothing runs forever.
"""
import os
import socket
import ssl
import struct
import sys
import threading
import time

IP = sys.argv[1]
CERT, KEY = sys.argv[2], sys.argv[3]
MB = 1 << 20


def stream(conn, chunk, total):
    sent = 0
    while sent < total:
        conn.sendall(chunk)
        sent += len(chunk)


def http_redirect_loop(conn):
    conn.recv(4096)
    conn.sendall(b"HTTP/1.1 301 Moved Permanently\r\nLocation: http://" + IP.encode()
                 + b"/again\r\nContent-Length: 0\r\n\r\n")


def http_endless_body(conn):
    conn.recv(4096)
    conn.sendall(b"HTTP/1.1 200 OK\r\nServer: <script>alert(1)</script>\r\n\r\n")
    stream(conn, b"A" * 65536, 100 * MB)


def redis_endless_info(conn):
    while True:
        data = conn.recv(4096)
        if not data:
            return
        if b"PING" in data.upper():
            conn.sendall(b"+PONG\r\n")
        elif b"INFO" in data.upper():
            conn.sendall(b"$999999999\r\n# Server\r\nredis_version:\x1b[2J7.0\r\n")
            stream(conn, b"x:" + b"y" * 4094 + b"\r\n", 100 * MB)
            return


def ftp_escapes(conn):
    conn.sendall(b"220 \x1b]0;owned\x07<img src=x onerror=alert(1)> #set page(fill: red)\r\n")
    while True:
        data = conn.recv(4096)
        if not data:
            return
        conn.sendall(b"530 \x1b[31mno\x1b[0m\r\n")


def telnet_endless_negotiation(conn):
    stream(conn, b"\xff\xfd\x18\xff\xfb\x01" * 1000, 20 * MB)


def memcached_endless_stats(conn):
    conn.recv(4096)
    stream(conn, b"STAT pid 1\r\n" * 1000, 50 * MB)


def smtp_one_byte_per_second(conn):
    for b in b"220 mail.example ESMTP slow\r\n":
        conn.sendall(bytes([b]))
        time.sleep(1)


def pop3_huge_banner(conn):
    conn.sendall(b"+OK ")
    stream(conn, b"B" * 65536, 100 * MB)


def tls_absurd_lengths(conn):
    conn.recv(65536)
    # A ServerHello record claiming 65,535 bytes, its handshake 16 MB, then garbage.
    conn.sendall(b"\x16\x03\x03\xff\xff\x02\xff\xff\xff\x03\x03" + b"\xee" * 200)
    time.sleep(3)


def tls_endless_record(conn):
    conn.recv(65536)
    stream(conn, b"\x16\x03\x03\x40\x00" + b"\x0b" * 0x4000, 50 * MB)


def ssh_kexinit_thousands_of_names(conn):
    conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 \x1b[5mblink\r\n")
    conn.recv(4096)
    # 1,200 key exchange names: 28 KB, inside the 35,000 bytes RFC 4253 asks a client to take.
    names = ",".join(f"algo-{i}@example.org" for i in range(1200)).encode()
    payload = b"\x14" + b"\x00" * 16 + struct.pack(">I", len(names)) + names
    for _ in range(9):
        payload += struct.pack(">I", 4) + b"none"
    payload += b"\x00" + b"\x00\x00\x00\x00"
    padding = 8 - (len(payload) + 5) % 8 + 8
    packet = struct.pack(">IB", len(payload) + padding + 1, padding) + payload + b"\x00" * padding
    conn.sendall(packet)
    time.sleep(2)


def elasticsearch_deep_json(conn):
    conn.recv(4096)
    body = b"[" * 100000 + b"]" * 100000
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body)


def reset_at_once(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def reset_mid_handshake(conn):
    conn.recv(65536)
    conn.sendall(b"\x16\x03\x03\x00\x4a\x02\x00\x00\x46\x03\x03")
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def imap_markup(conn):
    conn.sendall(b"* OK <b>IMAP</b> {{ l.title }} #import \"x.typ\" \x00\x7f\xc2\x9b ready\r\n")
    time.sleep(2)


def tls_garbage(conn):
    conn.recv(65536)
    conn.sendall(os.urandom(4096))
    time.sleep(1)


def tls_truncated_record(conn):
    conn.recv(65536)
    # The record promises 100 bytes; 11 come, then the connection closes.
    conn.sendall(b"\x16\x03\x03\x00\x64\x02\x00\x00\x46\x03\x03")


def tls_hostile_certificate(conn):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    with context.wrap_socket(conn, server_side=True) as tls:
        tls.recv(1024)


def ssh_absurd_packet_length(conn):
    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
    conn.recv(4096)
    # A binary packet claiming 4 GB, then nothing more of it.
    conn.sendall(b"\xff\xff\xff\xf0\x04" + b"\x14" * 64)
    time.sleep(3)


def ssh_endless_preamble(conn):
    # RFC 4253 lets a server send lines before its identification; these never end.
    stream(conn, b"Welcome to the jump host, please wait" + b"." * 200 + b"\r\n", 20 * MB)


def http_endless_headers(conn):
    conn.recv(4096)
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    stream(conn, b"X-Padding: " + b"p" * 1000 + b"\r\n", 50 * MB)


def silent_tarpit(conn):
    conn.recv(65536)
    time.sleep(20)


def smtp_starttls_garbage(conn):
    conn.sendall(b"220 mail.example ESMTP\r\n")
    while True:
        data = conn.recv(4096)
        if not data:
            return
        if data.upper().startswith(b"EHLO"):
            conn.sendall(b"250-mail.example\r\n250 STARTTLS\r\n")
        elif data.upper().startswith(b"STARTTLS"):
            conn.sendall(b"220 go ahead\r\n")
            conn.recv(65536)
            conn.sendall(b"\x1b[2J<script>" + os.urandom(2048))
            return
        else:
            conn.sendall(b"502 no\r\n")


BEHAVIOURS = {
    80: http_redirect_loop,
    8080: http_endless_body,
    6379: redis_endless_info,
    21: ftp_escapes,
    23: telnet_endless_negotiation,
    11211: memcached_endless_stats,
    25: smtp_one_byte_per_second,
    110: pop3_huge_banner,
    443: tls_absurd_lengths,
    8443: tls_endless_record,
    22: ssh_kexinit_thousands_of_names,
    9200: elasticsearch_deep_json,
    3389: reset_at_once,
    993: reset_mid_handshake,
    143: imap_markup,
    995: tls_garbage,
    465: tls_truncated_record,
    636: tls_hostile_certificate,
    2222: ssh_absurd_packet_length,
    2200: ssh_endless_preamble,
    8000: http_endless_headers,
    5000: silent_tarpit,
    587: smtp_starttls_garbage,
}


def serve(port, behaviour):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((IP, port))
    server.listen(64)

    def one(conn):
        try:
            behaviour(conn)
        except OSError:
            pass
        finally:
            conn.close()

    while True:
        conn, _ = server.accept()
        threading.Thread(target=one, args=(conn,), daemon=True).start()


for port, behaviour in BEHAVIOURS.items():
    threading.Thread(target=serve, args=(port, behaviour), daemon=True).start()
print("ready", flush=True)
time.sleep(600)
