"""Gap-free yearly numbers, also when many transactions ask at once on PostgreSQL."""

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from accountability.chinese import document_number
from accountability.models import DocumentSequence
from accountability.numbering import next_number


def test_numbers_follow_each_other_per_kind_and_year(db) -> None:
    with transaction.atomic():
        assert [next_number("case", 2026) for _ in range(3)] == [1, 2, 3]
        assert next_number("case", 2027) == 1
        assert next_number("petition", 2026) == 1
    assert document_number("问责", 2026, 12) == "问责〔2026〕第0012号"


def test_a_rolled_back_number_is_issued_again(db) -> None:
    with transaction.atomic():
        next_number("case", 2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number("case", 2026)
        raise RuntimeError
    with transaction.atomic():
        assert next_number("case", 2026) == 2


def test_outside_a_transaction_it_refuses(transactional_db) -> None:
    with pytest.raises(RuntimeError):
        next_number("case", 2026)


def test_concurrent_transactions_get_distinct_gap_free_numbers(transactional_db) -> None:
    assert connection.vendor == "postgresql"
    issued: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker() -> None:
        try:
            start.wait()
            for _ in range(5):
                with transaction.atomic():
                    issued.append(next_number("case", 2031))
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(issued) == list(range(1, 41))
    assert DocumentSequence.objects.get(kind="case", year=2031).last_value == 40
