package org.jkn.telemetry.gateway.fhir;

import org.jkn.telemetry.store.query.StatisticsBucket;

/**
 * The statistics {@code Observation/$stats} computes, by their codes in the R4 code system {@value
 * #SYSTEM} (value set StatisticsCode). Every one is exact: the order statistics come from the
 * bucket's sorted values ({@link StatisticsBucket} states the definitions). Skew, kurtosis and
 * regression are not offered.
 */
enum Statistic {
    AVERAGE("average", "Average", false),
    MAXIMUM("maximum", "Maximum", false),
    MINIMUM("minimum", "Minimum", false),
    COUNT("count", "Count", false),
    // every stored numeric reading has a value, so none is ignored: the same number as count
    TOTAL_COUNT("total-count", "Total Count", false),
    MEDIAN("median", "Median", true),
    STD_DEV("std-dev", "Standard Deviation", false),
    SUM("sum", "Sum", false),
    VARIANCE("variance", "Variance", false),
    PERCENTILE_20("20-percent", "20th Percentile", true),
    PERCENTILE_80("80-percent", "80th Percentile", true),
    LOWER_QUARTILE("4-lower", "Lower Quartile", true),
    UPPER_QUARTILE("4-upper", "Upper Quartile", true),
    QUARTILE_DEVIATION("4-dev", "Quartile Deviation", true),
    QUINTILE_1("5-1", "1st Quintile", true),
    QUINTILE_2("5-2", "2nd Quintile", true),
    QUINTILE_3("5-3", "3rd Quintile", true),
    QUINTILE_4("5-4", "4th Quintile", true);

    static final String SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-statistics";

    private final String code;
    private final String display;
    private final boolean ordered;

    Statistic(String code, String display, boolean ordered) {
        this.code = code;
        this.display = display;
        this.ordered = ordered;
    }

    String code() {
        return code;
    }

    String display() {
        return display;
    }

    /** True when it needs the bucket's values kept and sorted. */
    boolean ordered() {
        return ordered;
    }

    /** True for the counts, whose value is an integer without a unit. */
    boolean counts() {
        return this == COUNT || this == TOTAL_COUNT;
    }

    /** The statistic of a bucket holding at least one value. */
    double of(StatisticsBucket b) {
        return switch (this) {
            case AVERAGE -> b.average();
            case MAXIMUM -> b.maximum();
            case MINIMUM -> b.minimum();
            case COUNT, TOTAL_COUNT -> b.count();
            case MEDIAN -> b.percentile(0.5);
            case STD_DEV -> b.standardDeviation();
            case SUM -> b.sum();
            case VARIANCE -> b.variance();
            case PERCENTILE_20, QUINTILE_1 -> b.percentile(0.2);
            case PERCENTILE_80, QUINTILE_4 -> b.percentile(0.8);
            case LOWER_QUARTILE -> b.percentile(0.25);
            case UPPER_QUARTILE -> b.percentile(0.75);
            case QUARTILE_DEVIATION -> (b.percentile(0.75) - b.percentile(0.25)) / 2;
            case QUINTILE_2 -> b.percentile(0.4);
            case QUINTILE_3 -> b.percentile(0.6);
        };
    }

    /** The statistic for its code, or null. */
    static Statistic ofCode(String code) {
        for (Statistic s : values()) {
            if (s.code.equals(code)) {
                return s;
            }
        }
        return null;
    }
}
