package org.uuidmig.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.uuidmig.config.ConnectionSettings;
import org.uuidmig.db.Database;
import org.uuidmig.db.Target;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every database command shares: the connection options and the command's writers. */
abstract class BaseCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Mixin
    HelpOptions helpOptions;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /**
     * The resolved connection settings, after printing the one line that names the target (host:port/database,
     * role, server version, schema) on stderr, and checking that --schema names a schema of the database: a
     * misspelt schema would otherwise read as "no migration here" (status said "done") or as a list of failed
     * checks. Exit 2, naming the schema, before anything is changed.
     */
    ConnectionSettings connectionSettings() {
        ConnectionSettings s = connection.resolve(msg -> err().println("uuidmig: warning: " + msg));
        Target target = new Database(s).target();
        err().println(target.line(spec.name()));
        err().flush();
        target.requireSchema();
        return s;
    }

    Database database() {
        return new Database(connectionSettings());
    }
}
