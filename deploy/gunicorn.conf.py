# gunicorn settings for the practice website: `gunicorn -c deploy/gunicorn.conf.py practice.wsgi`
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", min(4, multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
timeout = 30
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# No access log here: nginx writes it, with secret link tokens masked.
accesslog = None
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"
