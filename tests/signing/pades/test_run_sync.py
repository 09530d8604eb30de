"""pyHanko's coroutines run on one event loop per thread, refused inside a running loop as
``asyncio.run`` refuses, and a signature made in a worker thread of async code validates."""

from __future__ import annotations

import asyncio

import pytest

from signing.pades.sign import sign_pdf
from signing.pades.signers import run_sync
from signing.pades.validate import validate_pdf
from signing.render.commitment import render_commitment_pdf


async def _loop_and(value):  # type: ignore[no-untyped-def]
    return asyncio.get_running_loop(), value


async def _fail() -> None:
    raise LookupError("inner")


def test_one_loop_per_thread_runs_each_coroutine_to_its_end():
    # when
    first_loop, first = run_sync(_loop_and(1))
    second_loop, second = run_sync(_loop_and(2))

    # then: the values, on the same open loop
    assert (first, second) == (1, 2)
    assert first_loop is second_loop
    assert not first_loop.is_running()
    assert not first_loop.is_closed()


def test_an_error_of_the_coroutine_reaches_the_caller():
    with pytest.raises(LookupError, match="inner"):
        run_sync(_fail())


def test_a_running_loop_is_refused_as_asyncio_run_refuses_it():
    # given a coroutine already inside a running loop
    async def nested() -> None:
        coroutine = _loop_and(0)
        try:
            run_sync(coroutine)
        finally:
            coroutine.close()

    # when / then
    with pytest.raises(RuntimeError):
        asyncio.run(nested())


def test_async_code_signs_from_a_worker_thread(commitment, company):
    # given
    pdf = render_commitment_pdf(commitment)

    # when async code hands the signature to a thread
    async def sign() -> bytes:
        return (await asyncio.to_thread(sign_pdf, pdf, signer=company, reason="承诺")).data

    signed = asyncio.run(sign())

    # then
    assert validate_pdf(signed).is_valid
