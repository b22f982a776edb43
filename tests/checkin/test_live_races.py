"""Two devices scanning the same teachers at the same moment, through a real server process on loopback."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from tests.checkin.world import World, make_world
from tests.kit.live import LiveServer
from tests.kit.sync import run_sync
from tests.kit.world import PASSWORD, create_user
from training.checkin.tables import CheckIn


async def _device(server: LiveServer, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=server.base_url, timeout=30)
    await client.get("/login")
    await client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]},
    )
    return client


async def _scan(client: httpx.AsyncClient, code: str, block: int) -> str:
    response = await client.post(
        "/api/v1/checkin/redeem",
        json={"code": code, "block_id": block, "client_id": uuid.uuid4().hex},
        headers={"x-csrftoken": client.cookies["csrftoken"]},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


def test_simultaneous_scans_on_two_devices_give_one_ok_and_one_already_checked_in(
    live_server: LiveServer, engine: Any
) -> None:
    w: World = run_sync(make_world(confirmed=15))
    create_user("wang", "staff")
    create_user("li", "staff")

    async def scenario() -> list[list[str]]:
        first, second = await _device(live_server, "wang"), await _device(live_server, "li")
        try:
            return [
                sorted(
                    await asyncio.gather(
                        _scan(first, person.token, w.blocks[0]),
                        _scan(second, person.manual_code, w.blocks[0]),
                    )
                )
                for person in w.people
            ]
        finally:
            await first.aclose()
            await second.aclose()

    results = asyncio.run(scenario())
    assert results == [["already_checked_in", "ok"]] * 15
    assert run_sync(CheckIn.count().run()) == 15
