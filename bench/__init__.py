"""make bench: the timings of the README's 性能 section."""

import os

# The servers a bench starts make no daily backup: on a fresh database the first page would
# back it up at once (xzcore.store.autobackup), a cost no viewer of the bench's pages pays.
os.environ.setdefault("XZ_BACKUP_TIME", "off")
