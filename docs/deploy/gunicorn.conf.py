"""gunicorn for the trial EDC, one per web machine behind a local nginx (docs/DEPLOYMENT.md, "Web").

    gunicorn -c /srv/edc/app/docs/deploy/gunicorn.conf.py edc.wsgi:application

Sized for a 2-core machine and a trial of 96 participants and a few dozen staff: the peak is a
handful of simultaneous requests. Every number can be overridden from the environment file
(/etc/edc/edc.env) without editing this file.
"""
import multiprocessing
import os

# nginx on the same machine is the only client; never expose gunicorn to the network.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Only the local nginx may tell us the request came in over HTTPS (X-Forwarded-Proto). Django reads the
# same header (SECURE_PROXY_SSL_HEADER in edc/settings_production.py); nginx overwrites whatever a
# client sent, so the header cannot be forged from outside.
forwarded_allow_ips = "127.0.0.1,::1"

# Threads, not only processes: the blinded CSV API (/api/datasets/*.csv) and export downloads stream
# for as long as the client reads, and nginx passes them through unbuffered (docs/deploy/nginx.conf),
# so a slow download holds one thread, not a whole worker. Processes = cores, because the CPU-heavy
# pages (reportlab PDFs, the analysis report's scipy/matplotlib) hold the GIL.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Each thread keeps its own PostgreSQL connection for DB_CONN_MAX_AGE (60 s) seconds: this machine
# opens at most workers x threads connections (8 on 2 cores). Add the Celery concurrency of every
# worker machine and keep the total well under the server's max_connections (docs/DEPLOYMENT.md).

# For gthread workers `timeout` is how long the worker's main loop may stay silent before the
# arbiter kills it, not a per-request limit, so long downloads are not cut. nginx bounds each request
# (proxy_read_timeout). 60 s tolerates a stalled page cache on a busy disk.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On `systemctl reload/restart` (upgrades) in-flight requests, including downloads, get this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "60"))
# nginx keeps idle upstream connections open (upstream keepalive); hold them a little longer than 2 s.
keepalive = 5

# Recycle a worker now and then: pandas/matplotlib pages grow memory that Python does not return.
max_requests = 1000
max_requests_jitter = 100
# Load the application in each worker after fork: no database connection or thread is shared across
# a fork, and a restart picks up new code.
preload_app = False
# The heartbeat file on tmpfs: a slow disk must not make the arbiter think a worker is dead.
worker_tmp_dir = "/dev/shm"
# No runtime control socket; systemd manages the process.
control_socket_disable = True

# Logs to stdout/stderr, i.e. to the journal (journalctl -u edc-web). %(L)s is the request time in
# seconds; the API token travels in a header, which is not logged.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(L)ss "%(a)s"'
proc_name = "edc-web"
