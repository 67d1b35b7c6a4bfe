package org.jkn.telemetry.normalizer.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SleepStageKindTest {

    /**
     * Journal records and sealed blocks hold these numbers: changing one would misread stored data.
     */
    @Test
    void storedCodesNeverChange() {
        Map<SleepStageKind, Integer> written =
                Map.of(
                        SleepStageKind.AWAKE, 0,
                        SleepStageKind.LIGHT, 1,
                        SleepStageKind.DEEP, 2,
                        SleepStageKind.REM, 3,
                        SleepStageKind.SLEEPING, 4,
                        SleepStageKind.OUT_OF_BED, 5,
                        SleepStageKind.AWAKE_IN_BED, 6,
                        SleepStageKind.UNKNOWN, 7);
        assertEquals(
                SleepStageKind.values().length,
                written.size(),
                "a new kind needs a new, unused code here");
        written.forEach(
                (kind, code) -> {
                    assertEquals(code, kind.storedCode(), kind.name());
                    assertEquals(kind, SleepStageKind.ofStoredCode(code));
                });
    }

    @Test
    void aCodeNoKindHasReadsAsNothing() {
        assertNull(SleepStageKind.ofStoredCode(8));
        assertNull(SleepStageKind.ofStoredCode(-1));
        assertNull(SleepStageKind.ofStoredCode(255));
    }
}
