"""Independent checks of what Shipdeck did on Azurite, with Microsoft's Python SDK
(azure-storage-blob), signed with the emulator's well-known account key.

Usage: python azcheck.py COMMAND ARGS...   (Blob endpoint from SHIPDECK_TEST_AZURE)
  create-container NAME               create a container
  objects CONTAINER PREFIX            JSON: every blob's name, size, ETag, Content-MD5 (hex),
                                      Cache-Control and Content-Type
  get CONTAINER NAME                  the JSON document stored at NAME
  put CONTAINER NAME TEXT             write a blob by hand (as a hand-run upload-batch would)
  download CONTAINER DIR              every blob into DIR/NAME (as `azcopy copy --recursive` would)
  sas CONTAINER                       a container SAS (read, add, create, write, delete, list) for an hour
  watch CONTAINER PREFIX SECONDS      read every blob under PREFIX again and again for SECONDS;
                                      JSON: how many reads, and every (name, Cache-Control) seen
Prints one JSON document.
"""
import json
import os
import sys
import time

from azure.storage.blob import BlobServiceClient

ENDPOINT = os.environ["SHIPDECK_TEST_AZURE"]
ACCOUNT = "devstoreaccount1"
# Azurite's published, well-known development key (not a secret).
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def service():
    # The newest service version Azurite 3.35 knows (the SDK would send a newer one).
    return BlobServiceClient(account_url=ENDPOINT, credential={"account_name": ACCOUNT, "account_key": KEY},
                             api_version="2025-11-05")


def props(c, name):
    p = c.get_blob_client(name).get_blob_properties()
    md5 = p.content_settings.content_md5
    return {"key": name, "size": p.size, "etag": p.etag.strip('"'),
            "content_md5": bytes(md5).hex() if md5 else None,
            "cache_control": p.content_settings.cache_control,
            "content_type": p.content_settings.content_type}


def main(cmd, *args):
    svc = service()
    if cmd == "create-container":
        svc.create_container(args[0])
        return {"container": args[0]}
    if cmd == "create-public-container":
        # Anonymous reads of blobs, as an origin behind Front Door is read in the edge tests.
        svc.create_container(args[0], public_access="blob")
        return {"container": args[0]}
    c = svc.get_container_client(args[0])
    if cmd == "objects":
        return [props(c, b.name) for b in c.list_blobs(name_starts_with=args[1])]
    if cmd == "get":
        return json.loads(c.download_blob(args[1]).readall())
    if cmd == "download":
        names = []
        for b in c.list_blobs():
            path = os.path.join(args[1], b.name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(c.download_blob(b.name).readall())
            names.append(b.name)
        return {"downloaded": names}
    if cmd == "put":
        c.upload_blob(args[1], args[2].encode(), overwrite=True)
        return {"key": args[1]}
    if cmd == "sas":
        from datetime import datetime, timedelta, timezone
        from azure.storage.blob import ContainerSasPermissions, generate_container_sas
        token = generate_container_sas(ACCOUNT, args[0], account_key=KEY,
                                       permission=ContainerSasPermissions(read=True, add=True, create=True, write=True, delete=True, list=True),
                                       expiry=datetime.now(timezone.utc) + timedelta(hours=1))
        return {"sas": token}
    if cmd == "watch":
        # Signals readiness on stderr, then reads until the time is up.
        end = time.time() + float(args[2])
        seen, reads = set(), 0
        sys.stderr.write("watching\n")
        sys.stderr.flush()
        while time.time() < end:
            for b in c.list_blobs(name_starts_with=args[1]):
                try:
                    p = c.get_blob_client(b.name).get_blob_properties()
                except Exception:  # deleted between list and read
                    continue
                reads += 1
                seen.add((b.name, p.content_settings.cache_control))
        return {"reads": reads, "seen": sorted(seen)}
    raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
