package org.uuidmig.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.uuidmig.config.ConnectionSettings;
import org.uuidmig.db.Database;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every database command shares: the connection options and the command's writers. */
abstract class BaseCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    ConnectionSettings connectionSettings() {
        return connection.resolve(msg -> err().println("uuidmig: warning: " + msg));
    }

    Database database() {
        return new Database(connectionSettings());
    }
}
