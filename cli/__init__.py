"""The ``counterpart`` command line: a module per command group, assembled in ``cli.main``.

It calls the same domain functions as the API and the jobs, and imports nothing from ``api``:
``serve`` hands uvicorn the import string of the application.
"""
