"""An S3 API on loopback for the object-store lake: moto's server mode, as s3fs's and obstore's
own test suites run it (s3fs/tests/test_s3fs.py, obstore's tests/conftest.py). The project talks
to it over HTTP through s3fs exactly as to AWS S3 or MinIO: only the endpoint differs."""

import contextlib
import uuid

import pytest


@contextlib.contextmanager
def s3_server():
    """Yields (env, bucket): the environment that points s3fs (botocore) at a fresh server with
    one empty bucket, for the processes a test starts. This process's environment is set too,
    and restored on exit."""
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
    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    try:
        with pytest.MonkeyPatch.context() as mp:
            for name, value in env.items():
                mp.setenv(name, value)
            # fsspec reuses a filesystem per URL kwargs, not per endpoint: one made for an
            # earlier server in this process would still point at that server's (closed) port
            s3fs.S3FileSystem.clear_instance_cache()
            s3fs.S3FileSystem(skip_instance_cache=True).mkdir(bucket)
            yield env, bucket
    finally:
        server.stop()
        s3fs.S3FileSystem.clear_instance_cache()
