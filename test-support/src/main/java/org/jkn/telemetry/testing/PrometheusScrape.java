package org.jkn.telemetry.testing;

/** Reads samples out of a Prometheus text scrape, as an operator's dashboard would. */
public final class PrometheusScrape {

    private PrometheusScrape() {}

    /**
     * The value of one series, named as it appears in the scrape with its labels (e.g. {@code
     * telemetry_batches_refused_total{reason="malformed-json"}}); 0 when the scrape has no such
     * line, as for a labelled counter never incremented.
     */
    public static double value(String scrape, String series) {
        for (String line : scrape.lines().toList()) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        return 0;
    }
}
