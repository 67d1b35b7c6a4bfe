package org.jkn.telemetry.gateway.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Looks for secrets where they must not be: every row of every table (as text, and every bytea
 * column as raw bytes), and every file under a directory (database files, journal files). Needles
 * are text (UTF-8) and numbers (their decimal text and IEEE-754 bytes, big- and little-endian).
 */
final class PlaintextScan {

    private final Map<String, byte[]> needles = new LinkedHashMap<>();

    PlaintextScan text(String s) {
        needles.put("text " + s, s.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PlaintextScan number(String decimal) {
        double v = Double.parseDouble(decimal);
        text(decimal);
        needles.put(
                "f64be " + decimal,
                ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(v).array());
        needles.put(
                "f64le " + decimal,
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v).array());
        return this;
    }

    /** Findings as "where: needle"; empty when clean. */
    List<String> database(DataSource ds) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet r =
                    s.executeQuery(
                            "select schemaname || '.' || tablename from pg_tables "
                                    + "where schemaname not in ('pg_catalog', 'information_schema')")) {
                while (r.next()) {
                    tables.add(r.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet r = s.executeQuery("select t::text, t.* from " + table + " t")) {
                    ResultSetMetaData md = r.getMetaData();
                    while (r.next()) {
                        scan(
                                table + " row",
                                r.getString(1).getBytes(StandardCharsets.UTF_8),
                                found);
                        for (int i = 2; i <= md.getColumnCount(); i++) {
                            if (md.getColumnType(i) == Types.BINARY) {
                                byte[] b = r.getBytes(i);
                                if (b != null) {
                                    scan(table + "." + md.getColumnName(i), b, found);
                                }
                            }
                        }
                    }
                }
            }
        }
        return found;
    }

    List<String> files(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            byte[] content;
            try {
                content = Files.readAllBytes(f);
            } catch (IOException e) {
                continue; // a file removed while walking (a temporary file of the server)
            }
            scan(dir.relativize(f).toString(), content, found);
        }
        return found;
    }

    int fileCount(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return (int) walk.filter(Files::isRegularFile).count();
        }
    }

    List<String> text(String where, String haystack) {
        List<String> found = new ArrayList<>();
        scan(where, haystack.getBytes(StandardCharsets.UTF_8), found);
        return found;
    }

    private void scan(String where, byte[] haystack, List<String> found) {
        for (Map.Entry<String, byte[]> n : needles.entrySet()) {
            if (indexOf(haystack, n.getValue()) >= 0) {
                found.add(where + ": " + n.getKey());
            }
        }
    }

    private static int indexOf(byte[] h, byte[] n) {
        outer:
        for (int i = 0; i <= h.length - n.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (h[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
