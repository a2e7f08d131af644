"""The service database: SQLAlchemy Core tables, connections, migrations."""
