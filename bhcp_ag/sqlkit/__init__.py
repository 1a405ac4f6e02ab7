"""SQL shared by the store and the hub: the domain's report measures compiled to SQLAlchemy.

Neither the store nor the hub may import the other, and the domain knows no database, so
the one compiler of :mod:`bhcp_ag.domain.metrics` lives here, between them: it takes a
conversations table described by column names and returns report rows.
"""
