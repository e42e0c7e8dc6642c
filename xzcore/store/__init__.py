"""The store: opening and migrating the database, the transaction and write lock, the data
version, roles and the permission checks every write makes, the audit log, settings, and the
translation of database faults. Imports nothing of xzcore but the shared words (errors, period,
rules)."""
