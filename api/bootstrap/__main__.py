"""``python -m api.bootstrap``: see :mod:`api.bootstrap.cli`."""

from api.bootstrap.cli import app

if __name__ == "__main__":
    app()
