package org.uuidmig.testing;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import org.uuidmig.db.Sql;

/**
 * JUnit extension giving each test method a fresh {@link TestDb} on the server chosen by
 * {@link PostgresServer}, and dropping it afterwards. Use with {@code @ExtendWith} and a
 * {@code TestDb} parameter.
 */
public final class PostgresExtension implements ParameterResolver, AfterEachCallback {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == TestDb.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        PostgresServer server = PostgresServer.get();
        String method = e.getTestMethod().map(m -> m.getName()).orElse("t").toLowerCase(Locale.ROOT);
        String name = ("uuidmig_t_" + TestNames.RUN + "_" + COUNTER.incrementAndGet() + "_" + method);
        if (name.length() > 60) {
            name = name.substring(0, 60);
        }
        // the name is this JVM's own (TestNames.RUN): nothing to drop first, and a clash fails at its creation instead of
        // dropping another run's database; it is created when the test first uses it (TestDb.lazy)
        TestDb db = TestDb.lazy(server, name);
        e.getStore(NS).put(name, db);
        e.getStore(NS).put("names", e.getStore(NS).getOrDefault("names", String.class, "") + name + "\n");
        return db;
    }

    @Override
    public void afterEach(ExtensionContext e) throws Exception {
        String names = e.getStore(NS).getOrDefault("names", String.class, "");
        for (String name : names.split("\n")) {
            if (name.isBlank()) {
                continue;
            }
            try (Connection c = PostgresServer.admin(); Statement st = c.createStatement()) {
                st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name.replace("'", "''")
                    + "' AND pid <> pg_backend_pid()");
                st.execute("DROP DATABASE IF EXISTS " + Sql.ident(name));
            }
        }
    }
}
