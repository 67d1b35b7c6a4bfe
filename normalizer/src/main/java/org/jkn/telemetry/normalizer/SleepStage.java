package org.jkn.telemetry.normalizer;

import org.jkn.telemetry.normalizer.catalog.SleepStageKind;

/** One stage of a sleep session, in epoch microseconds. */
public record SleepStage(SleepStageKind kind, long startMicros, long endMicros) {}
