from tests.ledger.worlds import (  # noqa: F401  (fixtures)
    boutique,
    lws,
    make_ledger,
    master_key,
    vault,
)
from tests.support.worlds import clock, db_url  # noqa: F401  (fixtures)
