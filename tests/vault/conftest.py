from tests.vault.worlds import (  # noqa: F401  (fixtures)
    clock,
    db_url,
    engine,
    journal,
    key_file,
    make_vault,
    provider,
    shop,
    vault,
)
