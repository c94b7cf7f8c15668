package org.uuidmig.config;

/**
 * Where a migrate or rollback serves its Prometheus metrics (--metrics-host, --metrics-port).
 *
 * @param host the address to listen on (default {@value #DEFAULT_HOST}: only this machine can scrape)
 * @param port the TCP port; 0 picks a free one, which the run prints
 */
public record MetricsEndpoint(String host, int port) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The path the metrics are served at. */
    public static final String PATH = "/metrics";
}
