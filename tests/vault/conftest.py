from tests.support.worlds import clock, db_url  # noqa: F401  (fixtures)
from tests.vault.worlds import (  # noqa: F401  (fixtures)
    engine,
    journal,
    key_file,
    make_vault,
    provider,
    shop,
    vault,
)
