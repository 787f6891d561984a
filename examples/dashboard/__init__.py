"""An agency dashboard: a small FastAPI application, a second driving adapter beside the CLI.

It holds no rule of its own: every route calls one use case of the member facade
(``rabbit.application.facade.Rabbit``) with the acting user taken from a bearer token the
application signs and verifies (``auth.py``), and every domain error becomes an HTTP status
in one table (``errors.py``). ``app.py`` builds it; the README's "An example application"
section says how to run it.
"""
