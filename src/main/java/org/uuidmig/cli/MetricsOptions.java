package org.uuidmig.cli;

import org.uuidmig.config.MetricsEndpoint;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** migrate's and rollback's Prometheus endpoint: --metrics-port and --metrics-host (docs/metrics.md). */
public class MetricsOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--metrics-port", paramLabel = "PORT",
        description = "Serve Prometheus metrics at http://HOST:PORT/metrics while the run goes on: rows done per column, rows/s, "
            + "the running steps, the health signals and their bounds, lock attempts and waits (docs/metrics.md). 0 picks a "
            + "free port and prints it. Default: no metrics.")
    Integer port;

    @Option(names = "--metrics-host", paramLabel = "HOST",
        description = "The address the metrics are served on, with --metrics-port (default: " + MetricsEndpoint.DEFAULT_HOST
            + ", this machine only; 0.0.0.0 for every interface).")
    String host;

    /** The endpoint the options give, or null without --metrics-port. */
    MetricsEndpoint endpoint() {
        if (port == null) {
            if (host != null) {
                throw new ParameterException(spec.commandLine(), "--metrics-host needs --metrics-port");
            }
            return null;
        }
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--metrics-port must be between 0 (any free port) and 65535, not " + port);
        }
        if (host != null && host.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--metrics-host must not be empty");
        }
        return new MetricsEndpoint(host == null ? MetricsEndpoint.DEFAULT_HOST : host.strip(), port);
    }
}
