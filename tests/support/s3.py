"""An S3 API on loopback for the object-store lake: moto's server mode, as s3fs's and obstore's
own test suites run it (s3fs/tests/test_s3fs.py, obstore's tests/conftest.py). The project talks
to it over HTTP through s3fs exactly as to AWS S3 or MinIO: only the endpoint differs."""

import contextlib
import os
import uuid

# what s3fs (botocore) reads, for this process and the processes a test starts
S3_ENV_KEYS = (
    "AWS_ENDPOINT_URL_S3",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
)


@contextlib.contextmanager
def s3_server():
    """Yields (env, bucket): the environment that points s3fs at a fresh server with one empty
    bucket. The current process's environment is set too, and restored on exit."""
    import s3fs
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ENDPOINT_URL_S3": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "loopback",  # moto accepts any key; these never leave the machine
        "AWS_SECRET_ACCESS_KEY": "loopback",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    saved = {k: os.environ.get(k) for k in S3_ENV_KEYS}
    os.environ.update(env)
    # fsspec reuses a filesystem per URL kwargs, not per endpoint: one made for an earlier server
    # in this process would still point at that server's (closed) port
    s3fs.S3FileSystem.clear_instance_cache()
    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    try:
        s3fs.S3FileSystem(skip_instance_cache=True).mkdir(bucket)
        yield env, bucket
    finally:
        server.stop()
        s3fs.S3FileSystem.clear_instance_cache()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
