package org.jkn.telemetry.gateway.fhir.export;

/**
 * One NDJSON file of a finished export: the resource type it holds, its name in the export's
 * directory (also the last segment of its URL) and how many resources (lines) it holds.
 */
public record OutputFile(String type, String name, long count) {}
