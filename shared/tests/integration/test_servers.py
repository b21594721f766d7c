async def test_servers_answer(nc, pg_pool):
    js = nc.jetstream()
    info = await js.account_info()
    assert info is not None
    assert await pg_pool.fetchval("SELECT 1") == 1
