package org.uuidmig.db;

import org.postgresql.plugin.AuthenticationPlugin;
import org.postgresql.plugin.AuthenticationRequestType;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * The password source pgjdbc is given when uuidmig resolved no password. Without it, pgjdbc
 * reads ~/.pgpass or PGPASSFILE itself whenever the password property is absent, and it does not
 * check the file's permissions: a file readable by group or others, which libpq (and uuidmig's
 * own {@link org.uuidmig.config.PgPass}) ignores, would still be used. With this plugin the
 * driver never uses a password uuidmig did not choose: a server that asks for one gets none, and
 * the connection fails as an authentication failure (28P01), not as an unreachable server.
 */
public final class NoPasswordPlugin implements AuthenticationPlugin {
    /** The pgjdbc connection property that names the plugin class. */
    public static final String PROPERTY = "authenticationPluginClassName";

    @Override
    public char[] getPassword(AuthenticationRequestType type) throws PSQLException {
        throw new PSQLException("the server requested password authentication (" + type + "), but no password was given",
            PSQLState.INVALID_PASSWORD);
    }
}
