package org.jkn.telemetry.normalizer.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/reading-types.md must not drift from the catalogue: a type, code, unit spelling, range or
 * choice added to the code without its line in the document fails here. Tests run in the module
 * directory, so the document is one level up.
 */
class ReadingTypesDocTest {

    private static final Path DOC = Path.of("..", "docs", "reading-types.md");

    private static String doc;
    private static List<String> lines;

    @BeforeAll
    static void read() throws IOException {
        doc = Files.readString(DOC, StandardCharsets.UTF_8);
        lines = doc.lines().toList();
    }

    private static String tick(String s) {
        return "`" + s + "`";
    }

    private static String row(ReadingType t) {
        String start = "| " + tick(t.wireName()) + " |";
        List<String> rows = section("Types").lines().filter(l -> l.startsWith(start)).toList();
        assertEquals(
                1,
                rows.size(),
                () ->
                        DOC
                                + " needs exactly one row for "
                                + t.wireName()
                                + " in Types, found "
                                + rows.size());
        return rows.get(0);
    }

    /** The lines from a "## title" heading up to the next one. */
    private static String section(String title) {
        int from = lines.indexOf("## " + title);
        assertTrue(from >= 0, () -> DOC + " has no section '" + title + "'");
        StringBuilder sb = new StringBuilder();
        for (int i = from + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            sb.append(lines.get(i)).append('\n');
        }
        return sb.toString();
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    @Test
    void everyTypeHasARowWithItsIdCodeCategoryProfileUnitsAndRange() {
        List<String> missing = new ArrayList<>();
        for (ReadingType t : ReadingType.values()) {
            String row = row(t);
            List<String> expected = new ArrayList<>();
            expected.add("| " + t.id() + " | " + t.dataCategory().code() + " |");
            expected.add(tick(t.storedCode(0)));
            for (Coding c : t.codings(0)) {
                expected.add(tick(c.code()));
            }
            expected.add("| " + t.category().code() + " |");
            if (t.profile() != null) {
                expected.add(tick(t.profile().substring(t.profile().lastIndexOf('/') + 1)));
            }
            if (t.ucum() != null) {
                expected.add(tick(t.ucum()));
            }
            for (Unit u : t.units()) {
                expected.add(tick(u.spelling()));
            }
            if (t.rangeSource() != null) {
                expected.add("| " + t.rangeSource() + " |");
                expected.add(num(t.min()) + " to " + num(t.max()));
            }
            for (Attribute a : t.attributes()) {
                expected.add(tick(a.wireField()));
            }
            for (String e : expected) {
                if (!row.contains(e)) {
                    missing.add(t.wireName() + ": " + e);
                }
            }
        }
        assertEquals(List.of(), missing, "rows of " + DOC + " lack these");
    }

    @Test
    void typesTableHasNoRowForATypeTheCodeDoesNotKnow() {
        List<String> stale =
                section("Types")
                        .lines()
                        .filter(l -> l.startsWith("| `"))
                        .map(l -> l.substring(3, l.indexOf('`', 3)))
                        .filter(w -> ReadingType.ofWireName(w) == null)
                        .toList();
        assertEquals(List.of(), stale);
    }

    @Test
    void everyAttributeChoiceIsDocumentedWithItsField() {
        String values = section("Categorical value sets");
        List<String> missing = new ArrayList<>();
        for (Attribute a : Catalogue.attributes()) {
            if (!values.contains(tick(a.wireField()))) {
                missing.add(a.wireField());
            }
            for (Choice c : a.choices()) {
                if (!values.contains(tick(c.wire()))) {
                    missing.add(a.wireField() + "=" + c.wire());
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void everyEmittedCodeIsDocumented() {
        List<String> missing =
                Catalogue.codings().stream()
                        .map(Coding::code)
                        .filter(code -> !doc.contains(tick(code)))
                        .toList();
        assertEquals(List.of(), missing);
    }

    @Test
    void everyProjectCodeIsListedUnderItsCodeSystem() {
        List<String> table =
                section("Project CodeSystems").lines().filter(l -> l.startsWith("| `")).toList();
        List<String> missing = new ArrayList<>();
        for (Coding c : Catalogue.codings()) {
            if (!c.system().startsWith(Coding.LOCAL)) {
                continue;
            }
            String name = c.system().substring(Coding.LOCAL.length());
            boolean listed =
                    table.stream()
                            .anyMatch(
                                    l ->
                                            l.startsWith("| " + tick(name))
                                                    && l.contains(
                                                            tick(c.code()) + " " + c.display()));
            if (!listed) {
                missing.add(name + "#" + c.code() + " " + c.display());
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void everySleepStageIsMappedWithItsComponentCode() {
        String stages = section("Sleep stages");
        List<String> missing = new ArrayList<>();
        for (SleepStageKind k : SleepStageKind.values()) {
            String start = "| " + tick(k.wire()) + " | " + (k.asleep() ? "yes" : "no") + " |";
            boolean ok =
                    stages.lines()
                            .anyMatch(
                                    l ->
                                            l.startsWith(start)
                                                    && l.contains(tick(k.totalCode().code())));
            if (!ok) {
                missing.add(k.wire());
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void glucoseMatrixListsTheCodeOfEverySpecimenAndUnit() {
        String matrix = section("Glucose codes");
        List<String> missing = new ArrayList<>();
        for (int attrs : Catalogue.codeVariants(ReadingType.BLOOD_GLUCOSE)) {
            int specimen = ReadingType.attribute(attrs, 0);
            String label =
                    specimen == 0
                            ? "(absent)"
                            : tick(Attributes.GLUCOSE_SPECIMEN.choices().get(specimen - 1).wire());
            String code = tick(ReadingType.BLOOD_GLUCOSE.storedCode(attrs));
            boolean ok =
                    matrix.lines()
                            .anyMatch(
                                    l ->
                                            l.startsWith("| ")
                                                    && l.split("\\|")[1].contains(label)
                                                    && l.contains(code));
            if (!ok) {
                missing.add(label + " " + ReadingType.BLOOD_GLUCOSE.ucum(attrs) + " " + code);
            }
        }
        assertEquals(List.of(), missing);
    }
}
