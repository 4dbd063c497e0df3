from tests.ledger.worlds import (  # noqa: F401  (fixtures)
    boutique,
    clock,
    db_url,
    lws,
    make_ledger,
    master_key,
    vault,
)
