"""Devices (API.md §1 and §4): status, remote revocation and wipe."""

from __future__ import annotations

from tests.server.conftest import Api


def test_device_is_active_after_sign_in(api: Api):
    rm = api.login("rm001")

    response = rm.get("/device")

    assert response.status_code == 200
    assert response.json() == {"status": "active", "wipe": False}


def test_revoked_device_gets_device_revoked_with_wipe_on_refresh(api: Api):
    rm = api.login("rm001", device_id="stolen-laptop")

    api.dev("revoke-device", {"device_id": "stolen-laptop"})
    response = api.http.post(
        "/auth/refresh", json={"refresh_token": rm.refresh_token, "device_id": rm.device_id}
    )

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "device_revoked"
    assert response.json()["wipe"] is True


def test_revoked_device_learns_it_from_get_device_and_every_other_call_is_refused(api: Api):
    rm = api.login("rm001", device_id="stolen-laptop")
    api.dev("revoke-device", {"device_id": "stolen-laptop"})

    assert rm.get("/device").json() == {"status": "revoked", "wipe": True}
    for response in (
        rm.get("/changes"),
        rm.get("/me"),
        rm.post("/mutations", json={"mutations": []}),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "device_revoked"


def test_signing_in_again_on_a_revoked_device_is_refused(api: Api):
    api.login("rm001", device_id="stolen-laptop")
    api.dev("revoke-device", {"device_id": "stolen-laptop"})

    response = api.http.post(
        "/auth/token",
        json={
            "username": "rm002",
            "password": "rmdesk-demo",
            "device_id": "stolen-laptop",
            "device_name": "x",
        },
    )

    assert response.status_code == 403
    assert response.json()["wipe"] is True


def test_other_devices_of_the_same_user_keep_working(api: Api):
    api.login("rm001", device_id="stolen-laptop")
    desk = api.login("rm001", device_id="office-desktop")
    api.dev("revoke-device", {"device_id": "stolen-laptop"})

    assert desk.get("/me").status_code == 200


def test_revoking_an_unknown_device_is_404(api: Api):
    response = api.http.post("/dev/revoke-device", json={"device_id": "never-seen"})

    assert response.status_code == 404
