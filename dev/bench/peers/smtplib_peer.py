"""The Python peer: what a Python Lambda with smtplib does for the same request.

Usage: python3 smtplib_peer.py <cold|warm|batch> <count>
Reads the request from REQUEST_FILE; SMTP_HOST, SMTP_PORT, SMTP_CA_FILE.
A warm invocation opens its own connection, as the usual handler does; a
batch shares one connection for its 10 records (the best smtplib offers).
Prints {"latenciesMs": [...]} on stdout.
"""
import base64
import json
import os
import smtplib
import ssl
import sys
import time
from email.message import EmailMessage
from email.utils import formataddr

mode = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1
with open(os.environ["REQUEST_FILE"], encoding="utf-8") as f:
    REQ = json.load(f)
CTX = ssl.create_default_context(cafile=os.environ["SMTP_CA_FILE"])
HOST, PORT = os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"])


def build(r):
    msg = EmailMessage()
    msg["From"] = formataddr((r["fromUsername"], r["user"]))
    msg["To"] = r["toEmail"]
    msg["Subject"] = r["subject"]
    msg.set_content(r["text"])
    msg.add_alternative(r["message"], subtype="html")
    for a in r.get("attachments", []):
        maintype, subtype = a["contentType"].split("/", 1)
        msg.add_attachment(base64.b64decode(a["content"]), maintype=maintype,
                           subtype=subtype.split(";")[0], filename=a["filename"])
    return msg


def connect(r):
    s = smtplib.SMTP(HOST, PORT, local_hostname="localhost", timeout=30)
    s.starttls(context=CTX)
    s.login(r["user"], r["password"])
    return s


def handler(r):
    with connect(r) as s:
        s.send_message(build(r))
    return {"status": "sent"}


def main():
    latencies = []
    rounds = 1 if mode == "cold" else count
    for _ in range(rounds):
        t0 = time.perf_counter()
        if mode == "batch":
            with connect(REQ) as s:
                for _ in range(10):
                    s.send_message(build(REQ))
        else:
            handler(REQ)
        latencies.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"latenciesMs": latencies, "peakRssKiB": peak_rss_kib()}))


def peak_rss_kib():
    """VmHWM: this process's own peak (rusage maxrss would include the parent's at fork)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


main()
