package org.uuidmig.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Records the SQL text sent through a connection: {@link #wrap} returns a {@link java.lang.reflect.Proxy} of the
 * connection whose statements note their text each time they are executed (a prepared statement run three times is
 * recorded three times, as the server receives it three times; the bound parameters are not part of the text). Only
 * what goes through the wrapped connection is recorded, so a test sees one session's statements and no one else's.
 */
public final class SqlRecorder {
    private static final Set<String> EXECUTE = Set.of("execute", "executeQuery", "executeUpdate", "executeLargeUpdate");

    private final List<String> sent = new ArrayList<>();

    /** The statements sent so far, in order, each as one string (several statements sent in one round trip stay one). */
    public synchronized List<String> sent() {
        return List.copyOf(sent);
    }

    /** Forgets what was recorded so far. */
    public synchronized void clear() {
        sent.clear();
    }

    private synchronized void record(String sql) {
        sent.add(sql);
    }

    /** The connection, recording every statement executed through it. */
    public Connection wrap(Connection c) {
        return (Connection) Proxy.newProxyInstance(SqlRecorder.class.getClassLoader(), new Class<?>[] {Connection.class},
            (proxy, m, args) -> {
                Object result = invoke(c, m, args);
                return switch (m.getName()) {
                    case "createStatement" -> statement(Statement.class, (Statement) result, null);
                    case "prepareStatement" -> statement(PreparedStatement.class, (Statement) result, (String) args[0]);
                    case "prepareCall" -> statement(CallableStatement.class, (Statement) result, (String) args[0]);
                    default -> result;
                };
            });
    }

    /** A statement that records its text when executed: the prepared text, or the text passed to execute(String). */
    private Statement statement(Class<? extends Statement> type, Statement target, String prepared) {
        InvocationHandler h = (proxy, m, args) -> {
            String name = m.getName();
            if (EXECUTE.contains(name) || name.equals("addBatch")) {
                record(args != null && args.length > 0 && args[0] instanceof String s ? s : prepared);
            }
            return invoke(target, m, args);
        };
        return (Statement) Proxy.newProxyInstance(SqlRecorder.class.getClassLoader(), new Class<?>[] {type}, h);
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
