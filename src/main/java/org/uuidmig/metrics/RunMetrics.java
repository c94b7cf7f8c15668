package org.uuidmig.metrics;

import java.io.IOException;
import java.util.List;
import java.util.function.Function;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.Unit;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.MetricsEndpoint;
import org.uuidmig.db.LockRetry;
import org.uuidmig.engine.CurrentSteps;
import org.uuidmig.health.HealthMonitor;
import org.uuidmig.health.HealthSnapshot;
import org.uuidmig.health.Signal;
import org.uuidmig.health.SignalKind;

/**
 * A migrate's or rollback's Prometheus metrics (--metrics-port), served with the official Prometheus Java client's HTTP
 * server at {@code http://HOST:PORT/metrics} from the start of the run to its end. Every value is read when Prometheus
 * scrapes: the health monitor's latest sample and the backfill's progress it read ({@link #watch}), the steps running,
 * and the lock retry counters. The names, with a scrape configuration: docs/metrics.md.
 */
public final class RunMetrics implements AutoCloseable {
    /** The names of the metrics, as a scrape shows them (counters with their _total). */
    public static final List<String> NAMES = List.of("uuidmig_run_info", "uuidmig_step_running", "uuidmig_backfill_rows_done",
        "uuidmig_backfill_rows_expected", "uuidmig_backfill_column_done", "uuidmig_backfill_rows_per_second", "uuidmig_throttled",
        "uuidmig_throttle_info", "uuidmig_health_signal_value", "uuidmig_health_signal_bound", "uuidmig_health_signal_over",
        "uuidmig_health_signal_available", "uuidmig_probe_latency_seconds", "uuidmig_probe_baseline_seconds",
        "uuidmig_replica_replay_lag_seconds", "uuidmig_slot_retained_wal_bytes", "uuidmig_oldest_transaction_age_seconds",
        "uuidmig_wraparound_vacuums", "uuidmig_lock_attempts_total", "uuidmig_lock_waits_total");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final HTTPServer server;
    private final String host;
    private volatile HealthMonitor monitor;
    private volatile BackfillRows backfill;

    private RunMetrics(MetricsEndpoint endpoint, String command, String schema, String database) {
        this.host = endpoint.host();
        register(command, schema, database);
        try {
            server = HTTPServer.builder().hostname(endpoint.host()).port(endpoint.port()).registry(registry).buildAndStart();
        } catch (IOException | RuntimeException e) {
            throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "cannot serve metrics on " + endpoint.host() + ":" + endpoint.port()
                + " (--metrics-host, --metrics-port): " + e.getMessage() + ". Nothing was changed", e);
        }
    }

    /**
     * Starts serving: exit 2 (nothing changed yet) when the address cannot be bound.
     *
     * @param command  the run ("migrate", "rollback")
     * @param schema   the application schema
     * @param database "host:port/database"
     */
    public static RunMetrics start(MetricsEndpoint endpoint, String command, String schema, String database) {
        return new RunMetrics(endpoint, command, schema, database);
    }

    /** The port it listens on (the one picked, for --metrics-port 0). */
    public int port() {
        return server.getPort();
    }

    /** "http://127.0.0.1:9187/metrics". */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port() + MetricsEndpoint.PATH;
    }

    /** From now on, the health signals are the monitor's, and the backfill's rows are read after each of its samples. */
    public void watch(HealthMonitor healthMonitor, String schema) {
        BackfillRows rows = new BackfillRows(schema);
        healthMonitor.onSample(rows);
        backfill = rows;
        monitor = healthMonitor;
    }

    /** Stops serving. */
    @Override
    public void close() {
        server.close();
    }

    private HealthSnapshot health() {
        HealthMonitor m = monitor;
        return m == null ? null : m.latest();
    }

    private void register(String command, String schema, String database) {
        Info run = Info.builder().name("uuidmig_run").help("The run: its command, application schema and database")
            .labelNames("command", "schema", "database").register(registry);
        run.setLabelValues(command, schema, database);

        GaugeWithCallback.builder().name("uuidmig_step_running").help("1 for each step running now (several with --jobs)")
            .labelNames("step", "target")
            .callback(cb -> CurrentSteps.running().forEach(r -> cb.call(1, r.id(), r.target()))).register(registry);

        backfillGauge("uuidmig_backfill_rows_done", "Rows the column's backfill has written (uuidmig.columns.backfill_rows)",
            c -> (double) c.done());
        backfillGauge("uuidmig_backfill_rows_expected", "The table's rows counted before the backfill (uuidmig.tables.base_rows)",
            c -> c.expected() == null ? null : c.expected().doubleValue());
        backfillGauge("uuidmig_backfill_column_done", "1 once the column's backfill is done", c -> c.finished() ? 1.0 : 0.0);
        GaugeWithCallback.builder().name("uuidmig_backfill_rows_per_second").help("Rows backfilled per second, over the last 10 s")
            .callback(cb -> {
                BackfillRows b = backfill;
                if (b != null && !Double.isNaN(b.rate())) {
                    cb.call(b.rate());
                }
            }).register(registry);

        GaugeWithCallback.builder().name("uuidmig_throttled")
            .help("1 while a health signal is over its bound (the reason is uuidmig_throttle_info's), else 0")
            .callback(cb -> {
                HealthSnapshot h = health();
                if (h != null) {
                    cb.call(h.anyOver() ? 1 : 0);
                }
            }).register(registry);
        registry.register(() -> {
            HealthSnapshot h = health();
            String reason = h == null || !h.anyOver() ? "none"
                : String.join(",", h.over().stream().map(s -> s.kind().id()).toList());
            return InfoSnapshot.builder().name("uuidmig_throttle")
                .help("The throttle's state (none, over_bound) and reason: none, or the signals over their bound")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                    .labels(Labels.of("state", "none".equals(reason) ? "none" : "over_bound", "reason", reason)).build())
                .build();
        });

        signalGauge("uuidmig_health_signal_value", "Each health signal's value: latency as a factor of the baseline, replica_lag "
            + "and long_transaction in seconds, slot_wal in bytes, wraparound_vacuum a count", s -> s.value());
        signalGauge("uuidmig_health_signal_bound", "Each health signal's bound, in its value's unit", s -> s.bound());
        signalGauge("uuidmig_health_signal_over", "1 while the signal is over its bound", s -> s.over() ? 1.0 : 0.0);
        signalGauge("uuidmig_health_signal_available", "0 while the signal cannot be read (a missing view or privilege)",
            s -> s.unavailable() == null ? 1.0 : 0.0);

        GaugeWithCallback.builder().name("uuidmig_probe_latency_seconds").unit(Unit.SECONDS)
            .help("The last probe transaction's latency: a one-row write in schema uuidmig and its commit")
            .callback(cb -> {
                HealthSnapshot h = health();
                if (h != null && h.probe() != null) {
                    cb.call(h.probe().toNanos() / 1e9);
                }
            }).register(registry);
        GaugeWithCallback.builder().name("uuidmig_probe_baseline_seconds").unit(Unit.SECONDS)
            .help("The probe's baseline: the median of the probes before the steps started")
            .callback(cb -> {
                HealthMonitor m = monitor;
                if (m != null && m.baseline() != null) {
                    cb.call(m.baseline().toNanos() / 1e9);
                }
            }).register(registry);
        GaugeWithCallback.builder().name("uuidmig_replica_replay_lag_seconds").unit(Unit.SECONDS)
            .help("pg_stat_replication.replay_lag per walsender (0 for a streaming standby that has replayed everything)")
            .labelNames("standby", "physical")
            .callback(cb -> {
                HealthSnapshot h = health();
                if (h != null) {
                    for (HealthSnapshot.Standby s : h.standbys()) {
                        Double lag = s.replayLag() != null ? Double.valueOf(s.replayLag().toNanos() / 1e9)
                            : "streaming".equals(s.state()) ? Double.valueOf(0) : null;
                        if (lag != null) {
                            cb.call(lag, s.name() == null ? "" : s.name(), String.valueOf(s.physical()));
                        }
                    }
                }
            }).register(registry);
        GaugeWithCallback.builder().name("uuidmig_slot_retained_wal_bytes").unit(Unit.BYTES)
            .help("WAL each replication slot retains: pg_current_wal_lsn() - restart_lsn").labelNames("slot", "type")
            .callback(cb -> {
                HealthSnapshot h = health();
                if (h != null) {
                    h.slots().forEach(s -> cb.call(s.retained(), s.name(), s.type()));
                }
            }).register(registry);
        GaugeWithCallback.builder().name("uuidmig_oldest_transaction_age_seconds").unit(Unit.SECONDS)
            .help("Age of the oldest transaction, other than uuidmig's, that holds back the cleanup of dead rows (0: none)")
            .callback(cb -> {
                HealthSnapshot h = health();
                if (h != null && h.signal(SignalKind.LONG_TRANSACTION).unavailable() == null) {
                    cb.call(h.transactions().isEmpty() ? 0 : h.transactions().get(0).age().toNanos() / 1e9);
                }
            }).register(registry);
        GaugeWithCallback.builder().name("uuidmig_wraparound_vacuums")
            .help("Autovacuums to prevent wraparound running on a migrated table")
            .callback(cb -> {
                HealthSnapshot h = health();
                if (h != null && h.signal(SignalKind.WRAPAROUND_VACUUM).unavailable() == null) {
                    cb.call(h.wraparound().size());
                }
            }).register(registry);

        CounterWithCallback.builder().name("uuidmig_lock_attempts")
            .help("Attempts of the units of work that need table locks (backfill batches, the swap, brief DDL, index builds), "
                + "retries included")
            .callback(cb -> cb.call(LockRetry.attemptsSoFar())).register(registry);
        CounterWithCallback.builder().name("uuidmig_lock_waits")
            .help("Attempts whose locks were not granted within lock_timeout (or the swap's budget), or that lost a deadlock: "
                + "the run backed off and tried again")
            .callback(cb -> cb.call(LockRetry.waitsSoFar())).register(registry);
    }

    private void backfillGauge(String name, String help, Function<BackfillRows.Column, Double> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("table", "column")
            .callback(cb -> {
                BackfillRows b = backfill;
                if (b != null) {
                    for (BackfillRows.Column c : b.columns()) {
                        Double v = value.apply(c);
                        if (v != null) {
                            cb.call(v, c.table(), c.column());
                        }
                    }
                }
            }).register(registry);
    }

    private void signalGauge(String name, String help, Function<Signal, Double> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("signal")
            .callback(cb -> {
                HealthSnapshot h = health();
                if (h != null) {
                    for (Signal s : h.signals()) {
                        Double v = value.apply(s);
                        if (v != null) {
                            cb.call(v, s.kind().id());
                        }
                    }
                }
            }).register(registry);
    }
}
