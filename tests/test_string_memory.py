"""Memory that compiled string code keeps: growth in amortised time, small
`format!` results, and temporaries freed after they are appended."""

import threading

import pytest

import sxc
from conftest import heap_bytes_in_use

SOURCE = """
fn built_length(n: i64) -> i64 {
    let mut s = String::new();
    for i in 0..n {
        s.push('x');
        if i % 3 == 0 {
            s += "yz";
        }
    }
    s.len() as i64
}

fn formatted_bytes(n: i64) -> i64 {
    let mut total = 0;
    for i in 0..n {
        let s = format!("{}", i);
        total += s.len() as i64;
    }
    total
}

fn digits(n: i64, seed: i64) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push((b'0' + ((seed + i) % 10) as u8) as char);
    }
    s
}

fn appended_temporaries(n: i64) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.clear();
        s.push_str(&format!("{} ", i));
        s += &i.to_string();
    }
    s
}
"""


@pytest.fixture(scope="module")
def m():
    return sxc.compile(SOURCE)


def test_push_grows_in_amortised_space(m):
    # 266,667 appends build 333,334 bytes; copying the whole string at each
    # one would allocate tens of GB, doubling the buffer about 1.3 MB
    m.built_length(10)
    before = heap_bytes_in_use()
    assert m.built_length(200_000) == 200_000 + 2 * 66_667
    grown = heap_bytes_in_use() - before
    assert grown < 8_000_000, grown


def test_format_results_keep_only_their_bytes(m):
    # 100,000 results of at most 5 bytes; each kept the 400 bytes reserved
    # for formatting a number, about 43 MB in all, before they shrank
    m.formatted_bytes(10)
    before = heap_bytes_in_use()
    assert m.formatted_bytes(100_000) == 10 + 90 * 2 + 900 * 3 + 9_000 * 4 + 90_000 * 5
    grown = heap_bytes_in_use() - before
    assert grown < 8_000_000, grown


def test_appended_temporaries_are_freed(m):
    m.appended_temporaries(10)
    before = heap_bytes_in_use()
    assert m.appended_temporaries(100_000) == "99999 99999"
    grown = heap_bytes_in_use() - before
    assert grown < 8_000_000, grown


def test_strings_grow_apart_in_threads(m):
    # the buffers that strings grow into are shared by every caller of the module
    # NOTE: the race that the helper's lock prevents lasts a few instructions, so
    # this test also passed with the lock removed; it checks results, not the lock.
    failures = []

    def work(seed):
        expected = "".join(str((seed + i) % 10) for i in range(50_000))
        for _ in range(10):
            got = m.digits(50_000, seed)
            if got != expected:
                failures.append((seed, got[:40]))
                return

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
