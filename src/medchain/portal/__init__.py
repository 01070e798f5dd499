"""The drug verification portal: a patient scans the box, a web page tells the truth.

``medchain serve`` runs :func:`~medchain.portal.app.create_app` (FastAPI, server-rendered pages
and a JSON API) against any chain and deployment; :mod:`~medchain.portal.service` holds the
answers, :mod:`~medchain.portal.qr` the QR codes, :mod:`~medchain.portal.demo` the drug
situations of the demo.
"""

from .service import Portal, SerialStore

__all__ = ["Portal", "SerialStore"]
