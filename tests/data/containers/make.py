#!/usr/bin/env python3
"""Make the container fixtures of tests/tests/readers.rs: the same documents (docs/) in
every container and compression moulin reads, and damaged archives. Run from this folder;
the outputs are checked in, so this only needs running when they change. Needs `zstd`."""

import gzip
import io
import os
import shutil
import subprocess
import tarfile
import uuid
import zipfile

DOCS = "docs"
# Walk order (sorted by name, folder by folder), the order every container keeps.
FILES = ["a.txt", "c.jsonl", "d-latin1.txt", "sub/b.txt"]


def write_sources():
    os.makedirs(f"{DOCS}/sub", exist_ok=True)
    with open(f"{DOCS}/a.txt", "w", encoding="utf-8") as f:
        f.write("Le conseil municipal de Lyon a voté le budget.\nLa séance a duré trois heures.\n")
    with open(f"{DOCS}/c.jsonl", "w", encoding="utf-8") as f:
        f.write('{"text": "Première dépêche : la Loire est en crue à Orléans.", "url": "https://example.fr/1"}\n')
        f.write('{"text": "Deuxième dépêche, reçue à 18 h.", "url": "https://example.fr/2"}\n')
    with open(f"{DOCS}/d-latin1.txt", "wb") as f:
        text = ("Les élèves de l'école française étaient très nombreux à la fête de l'été ; "
                "après la procession, le maire a remercié les bénévoles et les pompiers.\n")
        f.write(text.encode("windows-1252"))
    with open(f"{DOCS}/sub/b.txt", "w", encoding="utf-8") as f:
        f.write("Brève : 3 000 manifestants à Marseille.\n")


def data(name):
    with open(f"{DOCS}/{name}", "rb") as f:
        return f.read()


def tar_bytes(members, mode="w"):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.GNU_FORMAT) as t:
        for name, payload in members:
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            info.mtime = 1_700_000_000
            t.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def zip_bytes(members, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for name, payload in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, payload)
    return buf.getvalue()


def zstd(payload):
    return subprocess.run(["zstd", "-q", "-c", "-19"], input=payload, capture_output=True, check=True).stdout


def gz(payload):
    return gzip.compress(payload, mtime=0)


def warc_record(kind, headers, block):
    rid = uuid.uuid5(uuid.NAMESPACE_URL, headers.get("WARC-Target-URI", kind) + str(len(block)))
    lines = ["WARC/1.0", f"WARC-Type: {kind}", f"WARC-Record-ID: <urn:uuid:{rid}>", "WARC-Date: 2024-01-01T00:00:00Z"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {len(block)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + block + b"\r\n\r\n"


def warc_records():
    """warcinfo, then one resource record per document (text/plain), a request to skip."""
    records = [warc_record("warcinfo", {"Content-Type": "application/warc-fields"}, b"software: make.py\r\n")]
    for name in FILES:
        if name.endswith(".jsonl"):
            import json
            for i, line in enumerate(data(name).decode().splitlines(), 1):
                text = json.loads(line)["text"].encode()
                records.append(warc_record("resource", {"WARC-Target-URI": f"file:///{name}#{i}", "Content-Type": "text/plain"}, text))
        else:
            records.append(warc_record("resource", {"WARC-Target-URI": f"file:///{name}", "Content-Type": "text/plain"}, data(name)))
    records.insert(2, warc_record("request", {"WARC-Target-URI": "http://example.fr/", "Content-Type": "application/http; msgtype=request"}, b"GET / HTTP/1.1\r\nHost: example.fr\r\n\r\n"))
    return records


def main():
    write_sources()
    members = [(name, data(name)) for name in FILES]
    out = {}
    out["docs.tar"] = tar_bytes(members)
    out["docs.tar.gz"] = gz(out["docs.tar"])
    out["docs.tgz"] = out["docs.tar.gz"]
    out["docs.tar.zst"] = zstd(out["docs.tar"])
    out["docs.zip"] = zip_bytes(members)
    out["docs-stored.zip"] = zip_bytes(members, zipfile.ZIP_STORED)
    # Members compressed on their own inside the archive.
    out["docs-gz-members.tar"] = tar_bytes([(n + ".gz", gz(p)) for n, p in members])
    out["docs-zst-members.zip"] = zip_bytes([(n + ".zst", zstd(p)) for n, p in members], zipfile.ZIP_STORED)
    records = warc_records()
    out["docs.warc"] = b"".join(records)
    out["docs.warc.gz"] = b"".join(gz(r) for r in records)  # one gzip member per record
    out["docs.warc.zst"] = zstd(out["docs.warc"])
    # One level of nesting is read; the second is reported.
    out["nested.tar"] = tar_bytes([("inner/docs.zip", out["docs.zip"])])
    out["deep.tar"] = tar_bytes([("outer.tar", out["nested.tar"]), ("after.txt", b"Read after the deep member.\n")])

    damaged = {}
    # Cut inside the last member: the members before it are kept.
    t = out["docs.tar"]
    damaged["truncated.tar"] = t[: t.index(b"Br\xc3\xa8ve") + 10]
    damaged["truncated.tar.gz"] = gz(damaged["truncated.tar"])
    z = out["docs-stored.zip"]
    damaged["truncated.zip"] = z[: z.index(b"Br\xc3\xa8ve") + 10]
    # One member's bytes changed: its CRC fails, the others read.
    damaged["corrupt-member.zip"] = z.replace(b"Deuxi\xc3\xa8me", b"DEUXI\xc3\xa8me", 1)
    # A bomb: 16 MiB of zeros in a few KiB, as a zip member and inside a tar.gz member.
    zeros = bytes(16 << 20)
    damaged["bomb.zip"] = zip_bytes([("a.txt", data("a.txt")), ("zeros.txt", zeros), ("z.txt", b"Last member.\n")])
    damaged["bomb-member.tar"] = tar_bytes([("zeros.jsonl.gz", gz(zeros)), ("z.txt", b"Last member.\n")])
    # Names that must stay ids.
    damaged["evil-names.tar"] = tar_bytes([("../../escape.txt", b"dot dot\n"), ("/abs/x.txt", b"absolute\n")])
    # A WARC cut inside its third record.
    w = out["docs.warc"]
    damaged["truncated.warc"] = w[: w.index(b"Premi") + 5]

    for folder, files in (("", out), ("damaged/", damaged)):
        os.makedirs(folder or ".", exist_ok=True)
        for name, payload in files.items():
            with open(folder + name, "wb") as f:
                f.write(payload)
    # Each document compressed on its own.
    for comp, fn in (("gz", gz), ("zst", zstd)):
        for name, payload in members:
            os.makedirs(os.path.dirname(f"{comp}/{name}") or comp, exist_ok=True)
            with open(f"{comp}/{name}.{comp}", "wb") as f:
                f.write(fn(payload))


if __name__ == "__main__":
    main()
