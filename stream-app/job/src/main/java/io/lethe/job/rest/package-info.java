/**
 * Access to Flink's REST endpoint, locked down: mutual TLS for programs ({@link
 * io.lethe.job.rest.FlinkRestTls}), and a read-only dashboard for people ({@link
 * io.lethe.job.rest.DashboardProxy}).
 *
 * <p>Flink's REST API has no authentication of its own, and {@code web.cancel.enable=false} only
 * hides the dashboard's cancel button: anyone who reaches the endpoint can {@code PATCH
 * /jobs/<id>?mode=cancel}. Flink's documented way to secure it is mutual TLS ({@code
 * security.ssl.rest.authentication-enabled}); a browser cannot easily present a client certificate,
 * so people see the dashboard through a proxy that holds one and forwards only reads.
 */
package io.lethe.job.rest;
