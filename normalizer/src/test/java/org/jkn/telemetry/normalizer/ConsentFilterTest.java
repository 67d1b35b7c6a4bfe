package org.jkn.telemetry.normalizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.junit.jupiter.api.Test;

class ConsentFilterTest {

    private final BatchNormalizer normalizer =
            new BatchNormalizer(new Pseudonymizer(Batches.KEY), NormalizerLimits.DEFAULTS);

    private NormalizedBatch normalize(String... readings) {
        return normalizer.normalize(Batches.bytes(Batches.withReadings(readings)), Batches.NOW);
    }

    @Test
    void everyTypeHasTheGroupOfTheDesignTableAndOnlyCycleIsSensitive() {
        for (ReadingType t : ReadingType.values()) {
            assertEquals(t.isSensitive(), t.dataCategory() == DataCategory.CYCLE, t.wireName());
        }
        assertEquals(DataCategory.VITALS, ReadingType.BLOOD_GLUCOSE.dataCategory());
        assertEquals(DataCategory.BODY, ReadingType.WEIGHT.dataCategory());
        assertEquals(DataCategory.SLEEP, ReadingType.SLEEP_SESSION.dataCategory());
        assertEquals(DataCategory.ACTIVITY, ReadingType.EXERCISE.dataCategory());
        assertEquals(DataCategory.CYCLE, ReadingType.SEXUAL_ACTIVITY.dataCategory());
        assertEquals(DataCategory.CYCLE, ReadingType.LACTATION.dataCategory());
    }

    @Test
    void aCodeLessPermitNeverCoversCycle() {
        assertEquals(0, DataCategory.ALL_BUT_CYCLE & DataCategory.CYCLE.bit());
        assertEquals(DataCategory.ALL, DataCategory.ALL_BUT_CYCLE | DataCategory.CYCLE.bit());
        for (DataCategory c : DataCategory.values()) {
            assertSame(c, DataCategory.ofCode(c.code()));
        }
        assertEquals(null, DataCategory.ofCode("Cycle"));
    }

    @Test
    void batchWithOnlyAllowedCategoriesIsReturnedUnchanged() {
        NormalizedBatch b = normalizer.normalize(Batches.bytes(Batches.EXAMPLE), Batches.NOW);
        assertSame(b, b.onlyCategories(DataCategory.VITALS.bit() | DataCategory.ACTIVITY.bit()));
        assertSame(b, b.onlyCategories(DataCategory.ALL));
    }

    @Test
    void readingsOfOtherCategoriesAreRejectedByTheirBatchPositionInOrder() {
        NormalizedBatch b =
                normalize(
                        "{\"id\":\"s\",\"type\":\"steps\",\"start\":\"2026-11-22T08:00:00+07:00\",\"end\":\"2026-11-22T09:00:00+07:00\",\"value\":10}",
                        "{\"id\":\"bad\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":9000}",
                        "{\"id\":\"hr\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":1,\"values\":[70,71]}",
                        "{\"id\":\"m\",\"type\":\"menstruation_flow\",\"time\":\"2026-11-22T08:00:00+07:00\",\"flow\":\"light\"}",
                        "{\"id\":\"w\",\"type\":\"weight\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":70}");
        assertEquals(5, b.readings().size(), b.rejections().toString());
        NormalizedBatch vitals = b.onlyCategories(DataCategory.VITALS.bit());
        assertEquals(
                List.of("hr#0", "hr#1"),
                vitals.readings().stream().map(NormalizedReading::readingId).toList());
        assertEquals(2, vitals.sourceIndex(0));
        assertEquals(2, vitals.sourceIndex(1));
        List<Rejection> r = vitals.rejections();
        assertEquals(List.of(0, 1, 3, 4), r.stream().map(Rejection::index).toList());
        assertEquals(
                List.of(
                        RejectReason.CONSENT_REQUIRED,
                        RejectReason.IMPLAUSIBLE_VALUE,
                        RejectReason.CONSENT_REQUIRED,
                        RejectReason.CONSENT_REQUIRED),
                r.stream().map(Rejection::reason).toList());
        assertEquals("m", r.get(2).readingId());
        assertEquals(0, b.onlyCategories(0).readings().size());
        assertEquals(5, b.onlyCategories(DataCategory.ALL_BUT_CYCLE).readings().size() + 1);
    }
}
