"""The drug verification portal: a patient scans the box, a web page tells the truth.

``medchain serve`` runs :func:`~medchain.drugs.portal.app.create_app` (FastAPI, server-rendered pages
and a JSON API) against any chain and deployment; :mod:`~medchain.drugs.portal.service` holds the
answers, :mod:`~medchain.drugs.portal.qr` the QR codes, :mod:`~medchain.scenarios.portal` the drug
situations of the demo.
"""

from medchain.drugs.portal.service import Portal, SerialStore

__all__ = ["Portal", "SerialStore"]
