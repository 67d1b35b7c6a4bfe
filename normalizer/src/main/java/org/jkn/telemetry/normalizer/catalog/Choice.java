package org.jkn.telemetry.normalizer.catalog;

/**
 * One allowed value of an {@link Attribute}: its wire name and the coding it stands for (null when
 * it only selects).
 */
public record Choice(String wire, Coding coding) {}
