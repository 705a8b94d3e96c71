"""Page actions several web tests share."""
from __future__ import annotations

import io

from flask.testing import FlaskClient


def upload(client: FlaskClient, name: str, content: bytes, hub: str = "ochang") -> str:
    """Upload a file on the hub's import page as the signed-in user; the page (which must answer 200) as text."""
    data = {"file": (io.BytesIO(content), name)}
    response = client.post(f"/hub/{hub}/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)
