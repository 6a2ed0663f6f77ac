"""Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2...), issue 19.

``s3://bucket/prefix`` holds an object at ``prefix/<id[:2]>/<id[2:]>``, the layout of the
local store. The client is boto3 (``pip install 'jupyter-dlops[s3]'``), imported lazily:
credentials come only from the standard AWS chain (environment variables, profiles, instance
roles) and the endpoint from ``AWS_ENDPOINT_URL_S3``/``AWS_ENDPOINT_URL``; nothing is stored.
Requests are retried with exponential backoff (botocore's "standard" mode), files larger
than 64 MiB go up and down in parallel multipart transfers, and every byte read is checked
against its BLAKE3 id before it is used or cached.

Writes are idempotent: the key is the content's hash, so two workers uploading the same
object write the same bytes. An existing object is not uploaded again; its age is refreshed
by an in-place copy instead, so that ``dlops gc`` (which spares young objects) cannot remove
it between this write and the row that references it, as on disk.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import NotFoundError, StoreError
from .objcache import ObjectCache, cache_root
from .objects import CHUNK, ContentChangedError, ObjectStore, hash_bytes, hash_file, is_object_id

MULTIPART_BYTES = 64 << 20
#: An object reused after this long is copied onto itself to refresh its age for gc.
REFRESH_AFTER = 600.0


def _boto3():
    try:
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config
    except ImportError:
        raise StoreError("an s3:// artifacts location needs boto3; run: pip install 'jupyter-dlops[s3]'") from None
    return boto3, TransferConfig, Config


def split_location(location: str) -> tuple[str, str]:
    """``(bucket, prefix)`` of ``s3://bucket/prefix``; the prefix has no trailing slash."""
    rest = location[len("s3://"):]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise StoreError(f"'{location}' names no bucket; use s3://BUCKET/PREFIX")
    return bucket, prefix.strip("/")


class S3ObjectStore(ObjectStore):
    """Content-addressed objects in a bucket, with a local read-through cache."""

    def __init__(self, location: str) -> None:
        self.bucket, self.prefix = split_location(location)
        self.location = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        self.root = self.location  # for messages shared with the local store
        self.cache = ObjectCache(cache_root(self.location))

    # -- client ------------------------------------------------------------------------
    @property
    def client(self):
        return shared_client()

    def _transfer_config(self):
        return _boto3()[1](multipart_threshold=MULTIPART_BYTES, multipart_chunksize=MULTIPART_BYTES,
                           max_concurrency=8)

    def key(self, object_id: str) -> str:
        if not is_object_id(object_id):
            raise NotFoundError(f"'{object_id}' is not an object id (64 hex characters expected)")
        tail = f"{object_id[:2]}/{object_id[2:]}"
        return f"{self.prefix}/{tail}" if self.prefix else tail

    def _error(self, error: Exception, doing: str) -> StoreError:
        return StoreError(f"cannot {doing} {self.location}: {describe(error)}")

    # -- reads -------------------------------------------------------------------------
    def _head(self, object_id: str) -> dict | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self.key(object_id))
        except Exception as error:
            if _status(error) == 404:
                return None
            raise self._error(error, "read from") from None

    def exists(self, object_id: str) -> bool:
        self.key(object_id)  # refuses anything but an id before the cache sees a path
        return self.cache.get(object_id) is not None or self._head(object_id) is not None

    def path(self, object_id: str) -> Path:
        """The verified local copy (downloaded into the cache on first use)."""
        self.key(object_id)  # refuses anything but an id before the cache sees a path
        cached = self.cache.get(object_id)
        if cached is not None:
            return cached
        staged = self.cache.staging(object_id)
        try:
            if not self._download(object_id, staged):
                return self.cache.path(object_id)  # missing: a path that does not exist
            if hash_file(staged) != object_id:
                raise StoreError(f"object {object_id[:12]} in {self.location} does not match its id "
                                 "(it was modified); run `dlops gc --check`")
            return self.cache.install(object_id, staged)
        finally:
            Path(staged).unlink(missing_ok=True)

    def _download(self, object_id: str, target: str) -> bool:
        """Fetch the object into ``target``: one GET for most objects, parallel ranged GETs
        (boto3's transfer manager) for large ones. False if it is missing."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(object_id))
            body = response["Body"]
            if response["ContentLength"] > MULTIPART_BYTES:
                body.close()
                self.client.download_file(self.bucket, self.key(object_id), target,
                                          Config=self._transfer_config())
                return True
            with open(target, "wb") as handle:
                for chunk in body.iter_chunks(CHUNK):
                    handle.write(chunk)
        except Exception as error:
            if _status(error) == 404:
                return False
            raise self._error(error, "read from") from None
        return True

    def read_bytes(self, object_id: str) -> bytes:
        path = self.path(object_id)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"object {object_id[:12]} is missing from {self.location}") from None

    def problem(self, object_id: str) -> str | None:
        # The bucket is the truth here, not the cache: download again and hash.
        staged = self.cache.staging(object_id)
        try:
            if not self._download(object_id, staged):
                return "missing"
            return None if hash_file(staged) == object_id else "modified"
        finally:
            Path(staged).unlink(missing_ok=True)

    # -- writes ------------------------------------------------------------------------
    def put_bytes(self, data: bytes) -> str:
        object_id = hash_bytes(data)
        if self._reuse(object_id):
            return object_id
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.key(object_id), Body=data)
        except Exception as error:
            raise self._error(error, "write to") from None
        return object_id

    def put_file(self, source: str | os.PathLike[str], *, link: bool = False,
                 expected: str | None = None) -> str:
        """Upload a file's content. The file is hashed, then uploaded; if it changed in
        between (its size, mtime or inode differ), the upload is removed and refused."""
        before = _signature(source)
        object_id = hash_file(source)
        if expected is not None and object_id != expected:
            raise ContentChangedError(f"{source} changed after it was hashed; add it again")
        if self._reuse(object_id):
            return object_id
        self._upload(os.fspath(source), object_id)
        if _signature(source) != before:
            self.remove(object_id)  # the bytes sent may not be the bytes hashed
            raise ContentChangedError(f"{source} changed while it was being stored; try again")
        return object_id

    def _upload(self, path: str, object_id: str) -> None:
        try:
            self.client.upload_file(path, self.bucket, self.key(object_id), Config=self._transfer_config())
        except Exception as error:
            raise self._error(error, "write to") from None

    def _reuse(self, object_id: str) -> bool:
        head = self._head(object_id)
        if head is None:
            return False
        if time.time() - head["LastModified"].timestamp() > REFRESH_AFTER:
            self._refresh(object_id)
        return True

    def _refresh(self, object_id: str) -> None:
        key = {"Bucket": self.bucket, "Key": self.key(object_id)}
        try:
            self.client.copy(key, self.bucket, key["Key"], Config=self._transfer_config(),
                             ExtraArgs={"MetadataDirective": "REPLACE", "Metadata": {"refreshed": str(time.time())}})
        except Exception as error:
            raise self._error(error, "write to") from None

    # -- listing and gc ----------------------------------------------------------------
    def iter_stats(self) -> Iterator[tuple[str, int, float]]:
        start = f"{self.prefix}/" if self.prefix else ""
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start)
            for page in pages:
                for item in page.get("Contents", []):
                    object_id = item["Key"][len(start):].replace("/", "")
                    if is_object_id(object_id) and item["Key"] == start + f"{object_id[:2]}/{object_id[2:]}":
                        yield object_id, item["Size"], item["LastModified"].timestamp()
        except StoreError:
            raise
        except Exception as error:
            raise self._error(error, "list") from None

    def remove(self, object_id: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(object_id))
        except Exception as error:
            raise self._error(error, "delete from") from None
        self.cache.path(object_id).unlink(missing_ok=True)

    def remove_temporaries(self, cutoff: float, *, dry_run: bool = False) -> int:
        """Abort multipart uploads started before ``cutoff`` (the bucket's temporary files)."""
        removed = 0
        try:
            pages = self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=self.prefix)
            for page in pages:
                for upload in page.get("Uploads", []):
                    if upload["Initiated"].timestamp() > cutoff:
                        continue
                    removed += 1
                    if not dry_run:
                        self.client.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"],
                                                           UploadId=upload["UploadId"])
        except Exception as error:
            raise self._error(error, "clean up") from None
        return removed


_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()
#: The variables a client is built from: a change (in a test, or a notebook) gets a new one.
CLIENT_ENV = ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL",
              "AWS_DEFAULT_REGION", "AWS_REGION")


def shared_client():
    """One boto3 client per process and configuration: building one costs ~0.5 s, and
    clients are thread-safe; a forked child (Dask's, multiprocessing's) builds its own."""
    key = (os.getpid(), *(os.environ.get(name) for name in CLIENT_ENV))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            boto3, _transfer, config = _boto3()
            retries = {"max_attempts": 8, "mode": "standard"}
            client = boto3.session.Session().client(
                "s3", config=config(retries=retries, max_pool_connections=32))
            _clients[key] = client
        return client


def _signature(path) -> tuple[int, int, int]:
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns, info.st_ino


def _status(error: Exception) -> int | None:
    response = getattr(error, "response", None) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = str(response.get("Error", {}).get("Code", ""))
    return 404 if code in ("404", "NoSuchKey", "NotFound") else status


def describe(error: Exception) -> str:
    """One line saying what went wrong with a request, and what to do."""
    name = type(error).__name__
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        return "no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
    if name in ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionClosedError"):
        return f"the S3 endpoint is unreachable ({error}); check AWS_ENDPOINT_URL_S3 and the network"
    response = getattr(error, "response", None) or {}
    code = response.get("Error", {}).get("Code", "")
    if code == "NoSuchBucket":
        return "the bucket does not exist; create it or fix the artifacts location"
    if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
        return f"access denied ({code}); check the AWS credentials and the bucket's policy"
    return str(error) or name
